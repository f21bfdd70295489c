"""Whether a variant can run on a device with a given library, before anything is pushed (pure).

An FP16 `.nb` needs two things a plain FP32 set-up lacks: Paddle Lite's FP16 library (else it aborts,
"can not create kernel for 'calib'") and an ARMv8.2 core with half-precision arithmetic (else SIGILL).
"""


def refusal(variant, cpu_features, library_fp16):
    """Why `variant` (a registry VariantSpec) cannot run, or None. `cpu_features`: the device's
    /proc/cpuinfo flags (None when unknown); `library_fp16`: whether the library pushed has FP16
    kernels (None when unknown, e.g. the device's own python paddlelite)."""
    needed = set(variant.cpu_features)
    if needed and cpu_features is not None and not needed <= set(cpu_features):
        return (f"not supported on this CPU: {variant.name} needs an ARMv8.2 core with half-precision "
                f"arithmetic (/proc/cpuinfo lacks {', '.join(sorted(needed - set(cpu_features)))})")
    if variant.library == "fp16" and library_fp16 is False:
        return (f"{variant.name} needs Paddle Lite's FP16 library (built with LITE_WITH_ARM82_FP16=ON); the one "
                f"pushed has FP32 kernels only: build cxx_demo against the FP16 library and pass --build-dir")
    return None
