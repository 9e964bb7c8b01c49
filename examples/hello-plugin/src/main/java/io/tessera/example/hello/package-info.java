/** The hello plugin: {@link io.tessera.example.hello.GreetStep} and its lifecycle hook. */
package io.tessera.example.hello;
