/** The MOK enrolment steps for a certificate in DER (mokutil, then MokManager at the next boot). */
export function enrolmentSteps(derFile: string): string[] {
  return [
    `copy ${derFile} to the machine, then run: sudo mokutil --import ${derFile}   (choose a one-time password)`,
    'reboot: shim starts MokManager; choose "Enroll MOK", "Continue", "Yes", type the password, reboot',
    `check it: mokutil --test-key ${derFile}   (prints "is already enrolled")`,
    'after boot the key is in the .platform keyring (keyctl list %:.platform): the kernel trusts modules signed with it',
  ];
}
