import { describe, expect, it } from 'vitest';
import { assignmentsFromConfigText, olddefconfig } from '../../../src/kconfig/olddefconfig.js';
import { body, fakeTree } from './fake-tree.js';

const KCONFIG = `
mainmenu "Test $(ARCH) Kernel"

config MODULES
	bool "Enable modules"
	modules
	default y

menu "Networking"

config NET
	bool "Networking support"
	default y
	help
	  Networking.

	  More help.

config INET
	bool "TCP/IP"
	depends on NET
	default y

config WG
	tristate "WireGuard"
	depends on NET && INET
	select CRC

config CRC
	tristate "CRC"

endmenu

choice
	prompt "Timer frequency"
	default HZ_250

config HZ_100
	bool "100 HZ"

config HZ_250
	bool "250 HZ"

endchoice

config NR
	int "Number"
	range 2 64
	default 8

config NAME
	string "Name"
	default "a\\"b"

comment "Hidden things"
	depends on !NET

config HIDDEN
	bool
	default y if NET
`;

describe('olddefconfig', () => {
  const tree = fakeTree({ Kconfig: KCONFIG });

  it('writes defaults, menu comments and end markers like conf', () => {
    const out = olddefconfig(tree, []).configText;
    expect(out.split('\n').slice(0, 4).join('\n')).toBe('#\n# Automatically generated file; DO NOT EDIT.\n# Test x86_64 Kernel\n#');
    expect(body(out)).toBe(
      [
        'CONFIG_MODULES=y',
        '',
        '#',
        '# Networking',
        '#',
        'CONFIG_NET=y',
        'CONFIG_INET=y',
        '# CONFIG_WG is not set',
        '# CONFIG_CRC is not set',
        '# end of Networking',
        '',
        '# CONFIG_HZ_100 is not set',
        'CONFIG_HZ_250=y',
        'CONFIG_NR=8',
        'CONFIG_NAME="a\\"b"',
        'CONFIG_HIDDEN=y',
        '',
      ].join('\n'),
    );
  });

  it('applies select, dependencies, choices and ranges', () => {
    const out = body(
      olddefconfig(tree, assignmentsFromConfigText('CONFIG_WG=m\nCONFIG_HZ_100=y\nCONFIG_NR=100\n# CONFIG_NET is not set\n')).configText,
    );
    expect(out).toContain('# CONFIG_NET is not set');
    expect(out).not.toContain('CONFIG_WG'); // invisible and not written once NET is off
    expect(out).toContain('CONFIG_HZ_100=y');
    expect(out).toContain('CONFIG_NR=8'); // out of range user value dropped
    expect(out).toContain('#\n# Hidden things\n#');
  });

  it('promotes m to y through a select of a y symbol and keeps m otherwise', () => {
    const out = body(olddefconfig(tree, assignmentsFromConfigText('CONFIG_WG=m\nCONFIG_CRC=m\n')).configText);
    expect(out).toContain('CONFIG_WG=m');
    expect(out).toContain('CONFIG_CRC=m');
    const y = body(olddefconfig(tree, assignmentsFromConfigText('CONFIG_WG=y\nCONFIG_CRC=m\n')).configText);
    expect(y).toContain('CONFIG_CRC=y');
  });

  it('treats tristates as bools when modules are off', () => {
    const out = body(olddefconfig(tree, assignmentsFromConfigText('# CONFIG_MODULES is not set\nCONFIG_WG=m\n')).configText);
    expect(out).toContain('CONFIG_WG=y');
  });
});
