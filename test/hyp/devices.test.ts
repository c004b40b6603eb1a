// The second virtual device (a virtio-mmio identification block, emulated by trap) and an assigned
// device (the physical PL031 RTC mapped into the VM by stage 2: reached with no exit at all).
import { describe, it, expect } from 'vitest';
import { runVms, OFF, X } from './hyp-helpers.js';
import { VIRTIO_MAGIC, A64HV_VENDOR } from '../../src/hyp/vdev/virtio-id.js';
import { hypStatsJson } from '../../src/hyp/report.js';
import { Pl031 } from '../../src/devices/pl031.js';

describe('virtio-mmio identification block at IPA 0x0a00_0000 (trapped)', () => {
  it('MagicValue, Version 2, DeviceID 0 (no device), VendorID, the feature window, Status reset by 0', async () => {
    const r = await runVms(
      [
        `movz x9, #0x0a00, lsl #16
         ldr w10, [x9]
         ldr w11, [x9, #4]
         ldr w12, [x9, #8]
         ldr w13, [x9, #0xc]
         mov w1, #1
         str w1, [x9, #0x14]
         ldr w14, [x9, #0x10]
         mov w1, #3
         str w1, [x9, #0x70]
         mov w1, #4
         str w1, [x9, #0x70]
         ldr w15, [x9, #0x70]
         str wzr, [x9, #0x70]
         ldr w16, [x9, #0x70]
         ${OFF}`,
      ],
      {},
      1000,
    );
    expect([X(r, 10), X(r, 11), X(r, 12), X(r, 13)]).toEqual([BigInt(VIRTIO_MAGIC), 2n, 0n, BigInt(A64HV_VENDOR)]);
    expect(X(r, 14)).toBe(1n); // VIRTIO_F_VERSION_1 (feature bit 32)
    expect([X(r, 15), X(r, 16)]).toEqual([7n, 0n]);
    expect(r.vm.stats.get('mmio-read virtio-mmio MagicValue')).toBe(1);
    expect(r.vm.stats.get('mmio-write virtio-mmio Status')).toBe(3);
  });
});

describe('assigned PL031 RTC (stage 2 maps the real device: no exits)', () => {
  const src = `
    movz x9, #0x0901, lsl #16
    ldr w10, [x9, #0xfe0]
    ldr w11, [x9, #0xff0]
    ldr w12, [x9]
    ldr w13, [x9]
    ${OFF}`;
  it('is read at its own address with zero exits; the accesses reach the real device', async () => {
    const r = await runVms([src], {}, 1000, (run) => run.hv.rtc.write(0x008, 4, 1_700_000_000)); // RTCLR
    expect([X(r, 10), X(r, 11)]).toEqual([0x31n, 0x0dn]); // RTCPeriphID0, RTCPCellID0
    expect(X(r, 12)).toBe(1_700_000_000n);
    expect(r.vm.stats.total).toBe(1); // only the PSCI call
    expect(r.hv.rtc.accesses).toBe(5); // 4 guest reads + the setup write
    const j = hypStatsJson(r.hv) as { vms: { assigned: { name: string; exits: number; accesses: number }[] }[] };
    expect(j.vms[0].assigned.find((a) => a.name === 'pl031')).toMatchObject({ exits: 0, accesses: 5 });
  });
  it('can be given at an IPA other than its PA; the VM it is not assigned to gets an abort there', async () => {
    const moved = src.replace('#0x0901, lsl #16', '#0x0b00, lsl #16');
    const r = await runVms([moved, `movz x9, #0x0901, lsl #16\nadr x1, v\nmsr vbar_el1, x1\nisb\nldr w10, [x9]\n${OFF}\n.balign 0x800\nv:\n.space 0x200\nmrs x20, esr_el1\n${OFF}`], {
      assignRtc: { vm: 0, ipa: 0x0b00_0000 },
    });
    expect(r.hv.vms[0].stats.total).toBe(1);
    expect(r.hv.vms[1].stats.get('isolation-abort')).toBe(1);
    const v1 = r.hv.vms[1].vcpu.r;
    expect(v1[40] >>> 0).toBe(0x9600_0010); // x20 = ESR_EL1: external abort
  });
  it('its match interrupt (SPI 2, INTID 34) is forwarded to the VM that owns it: WFI wakes at the match second', async () => {
    const guest = `
    movz x9, #0x0800, lsl #16     // GICD (trapped)
    movz x10, #0x0801, lsl #16    // GICC = GICV
    movz x11, #0x0901, lsl #16    // the RTC (assigned)
    adr x0, vectors
    msr vbar_el1, x0
    isb
    mov w0, #1
    str w0, [x9]
    str w0, [x10]
    mov w0, #0xff
    str w0, [x10, #4]
    mov w0, #4
    str w0, [x9, #0x104]          // GICD_ISENABLER1: INTID 34
    mov w0, #1
    str w0, [x11, #4]             // RTCMR = 1
    str w0, [x11, #0x10]          // RTCIMSC
    msr daifclr, #2
  wait:
    cbnz x20, done
    wfi
    b wait
  done:
    ${OFF}
    .balign 0x800
  vectors:
    .space 0x280
    ldr w2, [x10, #0xc]           // GICC_IAR (GICV)
    and w21, w2, #0x3ff
    ldr w22, [x11]                // RTCDR
    mov w0, #1
    str w0, [x11, #0x1c]          // RTCICR: the line drops
    str w2, [x10, #0x10]          // GICC_EOIR: maintenance, the line is resampled low
    add x20, x20, #1
    eret`;
    const r = await runVms([guest], {}, 100_000);
    expect(r.vm.stop?.message).toBe('PSCI SYSTEM_OFF');
    expect([X(r, 20), X(r, 21), X(r, 22)]).toEqual([1n, 34n, 1n]);
    expect(r.vm.stats.get('irq rtc')).toBe(1);
    expect(r.hv.cpu.cycles).toBeGreaterThanOrEqual(1e9);
  });
  it('PL031 model: RTCDR counts seconds from the loaded value; match raises RTCRIS', () => {
    let t = 0;
    const rtc = new Pl031(() => t, 100);
    expect(rtc.read(0, 4)).toBe(100);
    t = 5.5;
    expect(rtc.read(0, 4)).toBe(105);
    rtc.write(0x004, 4, 107);
    t = 7;
    expect(rtc.read(0, 4)).toBe(107);
    expect(rtc.read(0x014, 4)).toBe(1);
    rtc.write(0x01c, 4, 1);
    expect(rtc.read(0x014, 4)).toBe(0);
  });
});
