/** The MOK enrolment steps for a certificate in DER (mokutil, then MokManager at the next boot). */
export function enrolmentSteps(derFile: string): string[] {
  return [
    `copy ${derFile} to the machine, then run: sudo mokutil --import ${derFile}   (choose a one-time password)`,
    'reboot: shim starts MokManager; choose "Enroll MOK", "Continue", "Yes", type the password, reboot',
    `check it: mokutil --test-key ${derFile}   (prints "is already enrolled"); keyctl list %:.platform lists it after boot`,
    'shim then boots kernel images signed with the key',
    'distribution kernels (Fedora, RHEL/CentOS Stream, Debian, Ubuntu) carry a patch that also checks module signatures against the .platform keyring: there the enrolled key is enough for modules',
    'a kernel.org kernel does not: it loads modules signed only by keys built in (CONFIG_SYSTEM_TRUSTED_KEYS; a kplay variant with signing.certificate builds the certificate in) or in its .secondary_trusted_keys',
  ];
}
