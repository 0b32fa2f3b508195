import { describe, expect, it } from 'vitest';
import { checkKabi } from '../../../src/kabi/check-kabi.js';
import { parseKabiStablelist } from '../../../src/kabi/kabi-stablelist.js';
import { parseModuleSymvers } from '../../../src/kabi/module-symvers.js';
import { parseModversionsDump } from '../../../src/kabi/module-versions.js';

// lines in the shape of Debian's linux-headers-6.1.0-57-amd64/Module.symvers
const SYMVERS = [
  '0x037a0cba\tkfree\tvmlinux\tEXPORT_SYMBOL\t',
  '0x92997ed8\t_printk\tvmlinux\tEXPORT_SYMBOL\t',
  '0x1234abcd\tsas_domain_attach_transport\tdrivers/scsi/libsas/libsas\tEXPORT_SYMBOL_GPL\t',
  'garbage line',
].join('\n');

describe('kABI check', () => {
  it('parses Module.symvers and modprobe --dump-modversions', () => {
    const exports = parseModuleSymvers(SYMVERS);
    expect(exports.size).toBe(3);
    expect(exports.get('sas_domain_attach_transport')).toMatchObject({
      crc: '0x1234abcd',
      module: 'drivers/scsi/libsas/libsas',
      export: 'EXPORT_SYMBOL_GPL',
    });
    expect(parseModversionsDump('0x037A0CBA\tkfree\n0x9060323f\tmodule_layout\n')).toEqual([
      { crc: '0x037a0cba', symbol: 'kfree' },
      { crc: '0x9060323f', symbol: 'module_layout' },
    ]);
  });

  it('names each missing symbol and each changed CRC, and skips the loader symbol module_layout when the exports lack it', () => {
    const findings = checkKabi({
      module: 'x.ko',
      needs: [
        { symbol: 'kfree', crc: '0x037a0cba' },
        { symbol: '_printk', crc: '0x00000001' },
        { symbol: 'gone_symbol', crc: '0x00000002' },
        { symbol: 'module_layout', crc: '0x9060323f' },
      ],
      exports: parseModuleSymvers(SYMVERS),
      exportsLabel: 'new/Module.symvers',
      stablelist: parseKabiStablelist('# comment\n[rhel9_x86_64_stablelist]\n\tkfree\n'),
    });
    expect(findings.map((f) => f.code)).toEqual(['E_KABI_CRC_CHANGED', 'E_KABI_SYMBOL_MISSING', 'W_KABI_NOT_STABLELISTED']);
    expect(findings[0]!.message).toBe(
      'x.ko was built against _printk 0x00000001, but new/Module.symvers exports it as 0x92997ed8 (vmlinux)',
    );
    expect(findings[2]!.message).toContain('_printk, gone_symbol');
  });

  it('checks module_layout when the kernel exports it: the loader refuses a module whose stamp differs (6.1.0-54 -> 6.1.0-57)', () => {
    const exports = parseModuleSymvers(`${SYMVERS}\n0x9060323f\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n`);
    const needs = [
      { symbol: 'kfree', crc: '0x037a0cba' },
      { symbol: 'module_layout', crc: '0xbce1a965' },
    ];
    const findings = checkKabi({ module: 'x.ko', needs, exports, exportsLabel: 'new/Module.symvers' });
    expect(findings.map((f) => f.code)).toEqual(['E_KABI_CRC_CHANGED']);
    expect(findings[0]!.message).toBe(
      'x.ko was built against module_layout 0xbce1a965, but new/Module.symvers exports it as 0x9060323f (vmlinux)',
    );
    expect(findings[0]!.hint).toMatch(/loader's own version stamp/);
    // the same stamp: nothing to say
    expect(checkKabi({ module: 'x.ko', needs: [{ symbol: 'module_layout', crc: '0x9060323f' }], exports, exportsLabel: 'n' })).toEqual([]);
  });
});
