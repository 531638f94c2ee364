#!/bin/sh
# Synthetic capsim-kbench records from a roofline with KNOWN parameters,
# for testing `capsim calibrate --kernels`. Every record says so in its own
# fields ("synthetic": true, "generator"); it is never a measurement.
#   t = max(bytes / (273e9 * eff_mem), flops / (peak * eff_compute)) + 4 us
# Parameters: bw_eff_weights 0.82, marlin_bw_eff 0.70, gemm_eff_bf16 0.72,
# marlin_fp8_eff 0.55, marlin_fp4_eff 0.45, bw_eff_kv 0.65,
# attn_prefill_eff 0.35, moe_eff 0.80 (relative to marlin_fp4_eff, so the
# grouped expert GEMM runs at 0.45 x 0.80 of the BF16 peak), moe_bw_eff 0.90
# (relative to marlin_bw_eff: its weights stream at 0.70 x 0.90), gemv_eff 0.90
# (a one-row BF16 GEMM streams at 0.82 x 0.90) (peaks: BF16 125e12).
# Usage: scripts/gen_kbench_fixture.sh > tests/fixtures/kbench_synthetic.jsonl
awk 'function rec(b, d, m, n, k, bt, ctx, bytes, flops, em, ec, peak,   t, tm, tc) {
        tm = bytes / (273e9 * em); tc = (ec > 0) ? flops / (peak * ec) : 0
        t = (tm > tc ? tm : tc) + 4e-6
        printf "{\"bench\": \"%s\", \"dtype\": \"%s\", \"m\": %d, \"n\": %d, \"k\": %d, \"batch\": %d, \"ctx\": %d, \"time_us\": %.9g, \"bytes\": %.17g, \"flops\": %.17g, \"status\": \"ok\", \"device\": \"synthetic roofline\", \"synthetic\": true, \"generator\": \"scripts/gen_kbench_fixture.sh bw=273e9 peak_bf16=125e12 t0_us=4 bw_eff_weights=0.82 marlin_bw_eff=0.70 gemm_eff_bf16=0.72 marlin_fp8_eff=0.55 marlin_fp4_eff=0.45 bw_eff_kv=0.65 attn_prefill_eff=0.35 moe_eff=0.80 moe_bw_eff=0.90 gemv_eff=0.90\"}\n", b, d, m, n, k, bt, ctx, t * 1e6, bytes, flops
     }
     BEGIN {
        for (s = 1048576; s <= 4294967296; s *= 4) rec("membw_read", "", 0, s, 0, 0, 0, s, 0, 0.82, 0, 1)
        split("1 16 256 4096 8192", M, " ")
        N[1] = 4096; K[1] = 4096; N[2] = 14336; K[2] = 4096
        for (i = 1; i <= 5; i++) for (j = 1; j <= 2; j++) {
            m = M[i]; n = N[j]; k = K[j]; f = 2 * m * n * k
            rec("gemm", "bf16", m, n, k, 0, 0, (m * k + n * k + m * n) * 2, f, m == 1 ? 0.82 * 0.90 : 0.82, 0.72, 125e12)
            rec("dequant_gemm", "fp8", m, n, k, 0, 0, n * k * 1 + (m * k + m * n) * 2, f, 0.70, 0.55, 125e12)
            rec("dequant_gemm", "nvfp4", m, n, k, 0, 0, n * k * 0.5625 + (m * k + m * n) * 2, f, 0.70, 0.45, 125e12)
        }
        for (b = 1; b <= 256; b *= 4) for (c = 128; c <= 131072; c *= 8)
            rec("attn_decode", "fp8", 0, 0, 0, b, c, b * c * 2 * 8 * 128 * 1, 0, 0.65, 0, 1)
        # 128 experts of 2 x 768 x 2048, top-8: T tokens touch min(128, 8T) experts
        for (T = 1; T <= 8192; T *= 8) {
            ex = (8 * T < 128) ? 8 * T : 128
            rec("moe_gemm", "nvfp4", T, 128, 8, 0, 0, ex * 2 * 768 * 2048 * 0.5625 + T * 8 * 2048 * 2, 2 * T * 8 * 2 * 768 * 2048, 0.70 * 0.90, 0.45 * 0.80, 125e12)
        }
        for (c = 1024; c <= 32768; c *= 2)
            rec("attn_prefill", "bf16", 2048, 0, 0, 1, c, 2048 * 2 * 8 * 128 * 2, 4 * 32 * 128 * 2048 * (c + 1024), 1, 0.35, 125e12)
     }'
