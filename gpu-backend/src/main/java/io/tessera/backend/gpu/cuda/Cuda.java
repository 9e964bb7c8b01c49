package io.tessera.backend.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;

import org.bytedeco.javacpp.Pointer;

/** Small helpers over the JavaCPP CUDA bindings: error checks and pointers to raw device addresses. */
final class Cuda {
    private Cuda() {
    }

    /** A JavaCPP pointer at a raw (device or host) address; JavaCPP never frees it. */
    static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }

    /** Throws when a CUDA runtime or driver call failed (runtime and driver codes agree on the common errors). */
    static void check(int status, String what) {
        if (status != 0) {
            String msg;
            try {
                msg = cudaGetErrorString(status).getString();
            } catch (RuntimeException e) {
                msg = "?";
            }
            throw new IllegalStateException("CUDA error " + status + " (" + msg + ") in " + what);
        }
    }

    /** Throws when a cuBLAS call failed. */
    static void checkBlas(int status, String what) {
        if (status != 0) {
            throw new IllegalStateException("cuBLAS error " + status + " in " + what);
        }
    }

    /** Throws when a cuDNN call failed. */
    static void checkDnn(int status, String what) {
        if (status != 0) {
            String msg;
            try {
                msg = org.bytedeco.cuda.global.cudnn.cudnnGetErrorString(status).getString();
            } catch (RuntimeException e) {
                msg = "?";
            }
            throw new IllegalStateException("cuDNN error " + status + " (" + msg + ") in " + what);
        }
    }
}
