/* Prints the /proc/cpuinfo feature names of the ARM core it runs on, read from AT_HWCAP.
   The ADB device double runs it once under qemu-aarch64 -cpu <model> to write the fake
   /proc/cpuinfo of an emulated ARM device, so the features it shows are the emulated core's own. */
#include <stdio.h>
#include <sys/auxv.h>

static const char *const kNames[] = {"fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32",
                                     "atomics", "fphp", "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma",
                                     "lrcpc", "dcpop", "sha3", "sm3", "sm4", "asimddp", "sha512", "sve",
                                     "asimdfhm", "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb", "paca", "pacg"};

int main(void) {
  unsigned long hwcap = getauxval(AT_HWCAP);
  const char *separator = "";
  for (unsigned i = 0; i < sizeof kNames / sizeof kNames[0]; ++i) {
    if (hwcap & (1UL << i)) {
      printf("%s%s", separator, kNames[i]);
      separator = " ";
    }
  }
  printf("\n");
  return 0;
}
