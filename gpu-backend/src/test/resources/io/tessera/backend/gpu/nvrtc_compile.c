/* Compiles one CUDA C file to PTX with NVRTC, loaded with dlopen: no GPU, no driver, no JavaCPP.
   usage: nvrtc_compile LIBNVRTC ARCH IN.cu OUT.ptx   (exit 0 on success; the log goes to stderr) */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*create_t)(void **, const char *, const char *, int, const char **, const char **);
typedef int (*compile_t)(void *, int, const char **);
typedef int (*size_t_t)(void *, size_t *);
typedef int (*get_t)(void *, char *);
typedef int (*destroy_t)(void **);

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s LIBNVRTC ARCH IN.cu OUT.ptx\n", argv[0]); return 2; }
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) { fprintf(stderr, "dlopen %s: %s\n", argv[1], dlerror()); return 3; }
    create_t create = (create_t) dlsym(h, "nvrtcCreateProgram");
    compile_t compile = (compile_t) dlsym(h, "nvrtcCompileProgram");
    size_t_t logSize = (size_t_t) dlsym(h, "nvrtcGetProgramLogSize");
    get_t getLog = (get_t) dlsym(h, "nvrtcGetProgramLog");
    size_t_t ptxSize = (size_t_t) dlsym(h, "nvrtcGetPTXSize");
    get_t getPtx = (get_t) dlsym(h, "nvrtcGetPTX");
    destroy_t destroy = (destroy_t) dlsym(h, "nvrtcDestroyProgram");
    if (!create || !compile || !logSize || !getLog || !ptxSize || !getPtx || !destroy) {
        fprintf(stderr, "%s lacks the NVRTC entry points\n", argv[1]); return 3;
    }
    FILE *f = fopen(argv[3], "rb");
    if (!f) { perror(argv[3]); return 2; }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *src = malloc(n + 1);
    if (fread(src, 1, n, f) != (size_t) n) { perror("read"); return 2; }
    src[n] = 0;
    fclose(f);
    char arch[64];
    snprintf(arch, sizeof arch, "--gpu-architecture=%s", argv[2]);
    /* the options the backend passes (io.tessera.backend.gpu.cuda.Nvrtc) */
    const char *opts[] = {arch, "--std=c++14", "-default-device", "--fmad=false"};
    void *prog = 0;
    if (create(&prog, src, argv[3], 0, 0, 0) != 0) { fprintf(stderr, "nvrtcCreateProgram failed\n"); return 1; }
    int st = compile(prog, 4, opts);
    size_t ls = 0;
    logSize(prog, &ls);
    if (ls > 1) { char *log = malloc(ls); getLog(prog, log); fprintf(stderr, "%s\n", log); }
    if (st != 0) { fprintf(stderr, "nvrtcCompileProgram failed: %d\n", st); return 1; }
    size_t ps = 0;
    ptxSize(prog, &ps);
    char *ptx = malloc(ps);
    getPtx(prog, ptx);
    FILE *o = fopen(argv[4], "wb");
    if (!o) { perror(argv[4]); return 2; }
    fwrite(ptx, 1, ps > 0 ? ps - 1 : 0, o);
    fclose(o);
    destroy(&prog);
    return 0;
}
