/*
 * cost.c - step time as a roofline sum over the parts of a step.
 *
 * Each part has a memory time (bytes / effective bandwidth) and a compute
 * time (FLOPs / effective tensor throughput): weights are read once per
 * step for all tokens, so a decode step of one request and of sixty costs
 * nearly the same until the FLOPs catch up. Attention and recurrent state
 * are per request. Parts run one after another within a layer, so their
 * times add; within a part memory and compute overlap, though not
 * perfectly (overlap()). Fixed overheads (launches, sampling, Python) come
 * on top. docs/model.md derives each term.
 */
#include "sim/cost.h"

#include <math.h>
#include <stdlib.h>

#include "common/xalloc.h"
#include "model/precision.h"

/* Step sizes below this many tokens get a memo slot (struct token_memo). */
#define MEMO_TOKENS_MAX 65536

/* Seconds of one weight part by token count, filled on first use: a
 * simulation asks for the same few batch sizes millions of times, and
 * overlap()'s two pow() calls were half of a fit's run time (the expert
 * parts also sum over every expert, experts_touched()). NaN = not
 * yet computed. A slot holds exactly what the computation returns. */
struct token_memo {
    double *t;
    size_t n;
};

/* The parts of a step's weight reads that depend on a token count only:
 * the dense linears, the LM head, the routed experts of every MoE layer,
 * and those of the MTP drafter's one MoE layer. */
enum weight_part { WP_DENSE, WP_LM_HEAD, WP_EXPERTS, WP_DRAFTER_EXPERTS, WP_COUNT };

struct cost_model {
    struct model_work w;
    struct profile p;
    bool async;
    double *routing_log_miss;   /* per expert, see work_routing_init() */
    /* Achieved attention FLOP/s of full and sliding layers, fixed per
     * model (attention_flops()), kept out of the per-step path. */
    double attn_flops_full, attn_flops_swa, attn_flops_full_decode;
    double overlap_n; /* PROF_OVERLAP_EXP */
    struct token_memo memo[WP_COUNT];
};

static double attention_flops(const struct profile *p, uint32_t head_dim);

struct cost_model *cost_new(const struct model_work *w, const struct profile *p,
                            bool async_scheduling)
{
    struct cost_model *c = xmalloc(sizeof *c);
    c->w = *w;
    c->p = *p;
    c->async = async_scheduling;
    c->routing_log_miss = NULL;
    c->attn_flops_full = attention_flops(p, w->head_dim_full);
    c->attn_flops_swa = attention_flops(p, w->head_dim_swa);
    c->attn_flops_full_decode = attention_flops(p, w->head_dim_full_decode);
    c->overlap_n = p->v[PROF_OVERLAP_EXP];
    for (int i = 0; i < WP_COUNT; i++)
        c->memo[i] = (struct token_memo){ NULL, 0 };
    if (w->n_moe_layers && w->n_experts) {
        c->routing_log_miss = xcalloc(w->n_experts, sizeof *c->routing_log_miss);
        work_routing_init(w->n_experts, w->n_experts_active, p->v[PROF_MOE_ROUTING_SKEW],
                          c->routing_log_miss);
    }
    return c;
}

void cost_free(struct cost_model *c)
{
    if (!c)
        return;
    free(c->routing_log_miss);
    for (int i = 0; i < WP_COUNT; i++)
        free(c->memo[i].t);
    free(c);
}

/* Distinct experts a step's tokens touch in one MoE layer. Routing is not
 * uniform: some experts are chosen far more often than others, so a batch
 * touches fewer distinct experts (and reads fewer bytes) than uniform
 * routing predicts, while one token still runs exactly top-k. */
static double experts_touched(const struct cost_model *c, int64_t tokens)
{
    return work_experts_touched_skewed(c->routing_log_miss, c->w.n_experts, (double)tokens);
}

/* Effective bandwidth for streaming weights through a kernel path. Small
 * batches of every quantized path (Marlin or native) stream packed weights
 * at one efficiency, marlin_bw_eff (named after the path that first
 * needed it); BF16 GEMMs at bw_eff_weights. */
static double weight_bw(const struct profile *p, enum kernel_path path)
{
    double bw = p->v[PROF_MEM_BW_BYTES_PER_S];
    return path == KPATH_BF16 ? bw * p->v[PROF_BW_EFF_WEIGHTS] : bw * p->v[PROF_MARLIN_BW_EFF];
}

/* Effective FLOP/s of a kernel path when compute-bound. Marlin
 * dequantizes every format to BF16 in registers and multiplies with BF16
 * mma.sync m16n8k16 (csrc/quantization/marlin/marlin_template.h), so one
 * efficiency of the BF16 peak serves FP8, NVFP4, INT4 and MXFP4 alike;
 * what sets them apart at prefill is the bytes they re-read
 * (marlin_weight_bytes()). Native paths multiply on FP8 or FP4 tensor
 * cores at a share of those peaks. */
static double path_flops(const struct profile *p, enum kernel_path path)
{
    double bf16 = p->v[PROF_PEAK_FLOPS_BF16];
    switch (path) {
    case KPATH_FP8_CUTLASS:
        return p->v[PROF_PEAK_FLOPS_FP8] * p->v[PROF_GEMM_EFF_FP8_NATIVE];
    case KPATH_FP8_TRITON:
        return p->v[PROF_PEAK_FLOPS_FP8] * p->v[PROF_GEMM_EFF_FP8_TRITON];
    case KPATH_FP4_CUTLASS:
        /* No calibration run multiplies in NVFP4 on tensor cores. CUTLASS's
         * SM120 FP4 and FP8 GEMMs share tile shapes and schedule, so what
         * model-sized GEMMs lose against the large-shape kernel figure is
         * taken from FP8's: its fitted rate over its own kernel anchor. */
        return p->v[PROF_PEAK_FLOPS_FP4] * p->v[PROF_GEMM_EFF_FP4_NATIVE] *
               (p->v[PROF_GEMM_EFF_FP8_NATIVE] / p->v[PROF_GEMM_ANCHOR_FP8]);
    case KPATH_FP8_MARLIN:
    case KPATH_FP4_MARLIN:
    case KPATH_INT4_MARLIN:
    case KPATH_MXFP4_MARLIN:
        return bf16 * p->v[PROF_MARLIN_EFF];
    default:
        return bf16 * p->v[PROF_GEMM_EFF_BF16];
    }
}

size_t cost_path_keys(enum kernel_path path, enum prof_key keys[2])
{
    switch (path) {
    case KPATH_FP8_CUTLASS:
        keys[0] = PROF_GEMM_EFF_FP8_NATIVE;
        break;
    case KPATH_FP8_TRITON:
        keys[0] = PROF_GEMM_EFF_FP8_TRITON;
        break;
    case KPATH_FP4_CUTLASS:
        keys[0] = PROF_GEMM_EFF_FP4_NATIVE;
        break;
    case KPATH_BF16:
        keys[0] = PROF_GEMM_EFF_BF16;
        keys[1] = PROF_BW_EFF_WEIGHTS;
        return 2;
    default:
        keys[0] = PROF_MARLIN_EFF;
        break;
    }
    keys[1] = PROF_MARLIN_BW_EFF;
    return 2;
}

/* Bytes a Marlin GEMM of `rows` rows reads for weights that take `bytes`
 * once. Marlin tiles M in slices of 64 rows (max_thread_m_blocks = 4
 * m-blocks of 16) and, for more rows, "runs multiple batchsize 64
 * versions in parallel" (marlin_template.h): its persistent grid of one
 * CTA per SM walks the (slice, column tile) pairs slice by slice, each
 * CTA a 256-wide column tile of the weights (large_batch_thread_configs
 * in marlin.cu). A matrix with fewer column tiles than SMs has
 * floor(SMs / tiles) slices in flight that share each weight tile in L2;
 * a wider one streams the whole matrix again for every slice. A matrix
 * that fits in L2 is read from DRAM once whatever the slices. So for
 * each matrix: reads = ceil(slices / max(1, floor(SMs / tiles))).
 * Native and BF16 kernels tile M in 128-256 rows over the whole grid and
 * read their weights about once. */
static double marlin_weight_bytes(const struct cost_model *c, const struct work_part *part, double bytes,
                                  double rows)
{
    const struct profile *p = &c->p;
    if (!kpath_is_marlin(part->path) || rows <= 64.0 || part->bytes <= 0)
        return bytes;
    double slices = ceil(rows / 64.0);
    if (part->n_matrices == 0)
        return bytes * slices;
    double sms = p->v[PROF_GPU_SMS], total = 0.0, covered = 0.0;
    for (uint32_t j = 0; j < part->n_matrices; j++) {
        const struct work_matrix *mx = &part->m[j];
        double share = mx->bytes / part->bytes, reads = 1.0;
        if (mx->layer_bytes > p->v[PROF_L2_BYTES]) {
            double tiles = ceil(mx->n / 256.0);
            double in_flight = floor(sms / tiles);
            reads = ceil(slices / (in_flight > 1.0 ? in_flight : 1.0));
        }
        total += bytes * share * reads;
        covered += share;
    }
    return total + bytes * (covered < 1.0 ? 1.0 - covered : 0.0);
}

/* A native path quantizes the activations of every GEMM first, in a
 * kernel of its own (scaled_fp8_quant / per_token_group_quant_fp8,
 * scaled_fp4_quant): it reads each BF16 input element and writes it at
 * the quantized width with its scales. `elements` = tokens x sum of K. */
static double act_quant_seconds(const struct profile *p, enum kernel_path path, double elements)
{
    if (!kpath_quantizes_activations(path) || elements <= 0)
        return 0.0;
    double out = path == KPATH_FP4_CUTLASS ? dtype_traits(DTYPE_NVFP4)->bytes_per_param : 1.0;
    return elements * (2.0 + out) / (p->v[PROF_MEM_BW_BYTES_PER_S] * p->v[PROF_BW_EFF_WEIGHTS]);
}

/* Time of a kernel whose memory traffic alone takes `mem` and whose math
 * alone takes `comp`: the norm (mem^n + comp^n)^(1/n). A kernel far from
 * the ridge point costs its larger term (n does not matter there); near it,
 * loads and math do not hide each other fully (a tile waits for its data,
 * few tiles fill the GPU at a few hundred tokens), so it costs more than
 * the larger term, up to 2^(1/n) times it when both are equal. In the
 * arena, a 256-token prompt on Qwen3.5-9B or Qwen3.8-27B (dense, BF16)
 * takes about 40% longer than the same server's few-token latency probe,
 * which reads the same weights; a max() roofline prices both the same. */
static double overlap(const struct cost_model *c, double mem, double comp)
{
    double hi = mem > comp ? mem : comp, lo = mem > comp ? comp : mem;
    if (lo <= 0)
        return hi;
    return hi * pow(1.0 + pow(lo / hi, c->overlap_n), 1.0 / c->overlap_n);
}

static double part_seconds(const struct cost_model *c, const struct work_part *part,
                           double bytes, double tokens)
{
    const struct profile *p = &c->p;
    if (bytes <= 0 && tokens <= 0)
        return 0.0;
    double mem = marlin_weight_bytes(c, part, bytes, tokens) / weight_bw(p, part->path);
    double comp = part->flops_per_token * tokens / path_flops(p, part->path);
    return overlap(c, mem, comp) + act_quant_seconds(p, part->path, tokens * part->act_in_per_token);
}

/* Routed experts of `layers` MoE layers for T tokens: each token runs
 * top-k experts; the step reads each touched expert once, at moe_bw_eff
 * of its path's streaming bandwidth (a grouped kernel streams many small
 * matrices, one per expert, where a dense layer streams one large one;
 * the arena's dense models decode faster per byte than its MoE models at
 * the same batch). Compute-bound (prefill), a grouped GEMM over many
 * small matrices runs at moe_eff of its path's dense rate, whatever the
 * kernel (Triton fused_moe for BF16, Marlin's MoE kernel, a native one):
 * the arena's Marlin NVFP4 experts and its BF16 experts come out at the
 * same share of the BF16 peak, so the loss is the grouping's, not the
 * dequantization's (docs/model.md). */
static double experts_seconds(const struct cost_model *c, int64_t tokens, uint32_t layers)
{
    const struct model_work *w = &c->w;
    const struct profile *p = &c->p;
    double touched = experts_touched(c, tokens);
    double bytes = touched * layers * w->expert.bytes;
    double expert_tokens = (double)tokens * w->n_experts_active * layers;
    /* Marlin's MoE kernel tiles each expert's tokens like a dense GEMM's
     * rows (fused_marlin_moe): the rows per touched expert decide its
     * re-reads. */
    double rows = touched > 0 ? (double)tokens * w->n_experts_active / touched : 0.0;
    double mem = marlin_weight_bytes(c, &w->expert, bytes, rows) /
                 (weight_bw(p, w->expert.path) * p->v[PROF_MOE_BW_EFF]);
    double comp = w->expert.flops_per_token * expert_tokens /
                  (path_flops(p, w->expert.path) * p->v[PROF_MOE_EFF]);
    return overlap(c, mem, comp) +
           act_quant_seconds(p, w->expert.path, expert_tokens * w->expert.act_in_per_token);
}

/* The memo slot for `tokens`, grown on demand; NULL from MEMO_TOKENS_MAX. */
static double *memo_slot(struct token_memo *m, int64_t tokens)
{
    if (tokens < 0 || tokens >= MEMO_TOKENS_MAX)
        return NULL;
    size_t i = (size_t)tokens;
    if (i >= m->n) {
        size_t n = m->n ? m->n : 64;
        while (n <= i)
            n *= 2;
        m->t = xrealloc(m->t, n * sizeof *m->t);
        for (size_t k = m->n; k < n; k++)
            m->t[k] = NAN;
        m->n = n;
    }
    return &m->t[i];
}

static double weight_part_compute(const struct cost_model *c, enum weight_part which,
                                  int64_t tokens)
{
    const struct model_work *w = &c->w;
    switch (which) {
    case WP_DENSE:
        return part_seconds(c, &w->dense, w->dense.bytes, (double)tokens);
    case WP_LM_HEAD:
        return part_seconds(c, &w->lm_head, w->lm_head.bytes, (double)tokens);
    case WP_EXPERTS:
        return experts_seconds(c, tokens, w->n_moe_layers);
    default:
        return experts_seconds(c, tokens, 1);
    }
}

/* Seconds of a weight part for `tokens` tokens, from the memo when it
 * has them. */
static double weight_part_seconds(struct cost_model *c, enum weight_part which, int64_t tokens)
{
    double *slot = memo_slot(&c->memo[which], tokens);
    if (slot && !isnan(*slot))
        return *slot;
    double t = weight_part_compute(c, which, tokens);
    if (slot)
        *slot = t;
    return t;
}

static double weights_seconds(struct cost_model *c, const struct step_shape *s)
{
    const struct model_work *w = &c->w;
    const struct profile *p = &c->p;
    double dense = weight_part_seconds(c, WP_DENSE, s->n_tokens);
    double head = weight_part_seconds(c, WP_LM_HEAD, s->n_logits);
    double experts = w->n_moe_layers && w->n_experts ? weight_part_seconds(c, WP_EXPERTS, s->n_tokens)
                                                     : 0.0;
    /* A step of one token multiplies each BF16 weight matrix by a vector,
     * and cuBLAS runs GEMV kernels for it, whose achieved bandwidth is not
     * that of the tiled GEMMs it runs from two rows on (vLLM pads a batch
     * to a captured CUDA-graph size). Marlin and the native FP8 GEMM pad a
     * single row to their tile like any small batch, and a grouped expert
     * kernel sees about one token per expert at one token as at eight:
     * their kernels do not change at one token. */
    if (s->n_tokens == 1) {
        if (w->dense.path == KPATH_BF16)
            dense /= p->v[PROF_GEMV_EFF];
        if (w->lm_head.path == KPATH_BF16)
            head /= p->v[PROF_GEMV_EFF];
    }
    return dense + head + experts;
}

/* Achieved attention FLOP/s for a head width. Flash-attention kernels keep
 * a query tile's rows of head_dim in registers and shared memory: wider
 * heads mean smaller tiles, fewer warps in flight, and past 256 a generic
 * (Triton) kernel. Head dim 128 is the tile shape these kernels are tuned
 * for; narrower heads do not run faster per FLOP. */
static double attention_flops(const struct profile *p, uint32_t head_dim)
{
    double eff = p->v[PROF_ATTN_PREFILL_EFF];
    if (head_dim > 128)
        eff *= pow(128.0 / head_dim, p->v[PROF_ATTN_HEAD_DIM_EXP]);
    return p->v[PROF_PEAK_FLOPS_BF16] * eff;
}

/* The drafter: `drafter_passes` forward passes over the decoding
 * requests, one after another (an MTP draft token needs the previous
 * one), each through the drafter's weights and the LM head; a DFlash
 * drafter's one pass runs every block position at once, so its many
 * tokens share one read of its weights. Its own K/V is read once per
 * step. Memory-bound at decode batch sizes. */
static double drafter_seconds(struct cost_model *c, const struct step_shape *s)
{
    const struct model_work *w = &c->w;
    const struct profile *p = &c->p;
    if (!w->drafter_passes || !s->n_decode_seqs)
        return 0.0;
    int64_t seqs = (int64_t)s->n_decode_seqs;
    int64_t tokens = seqs * w->drafter_tokens;
    double pass = part_seconds(c, &w->drafter, w->drafter.bytes, (double)tokens) +
                  weight_part_seconds(c, WP_LM_HEAD, seqs * w->drafter_logits);
    if (w->drafter_moe)
        pass += weight_part_seconds(c, WP_DRAFTER_EXPERTS, tokens);
    double kv = s->kv_tokens_full * w->drafter_kv_bytes_per_token /
                (p->v[PROF_MEM_BW_BYTES_PER_S] * p->v[PROF_BW_EFF_KV]);
    return w->drafter_passes * pass + kv;
}

static double attention_seconds(const struct cost_model *c, const struct step_shape *s)
{
    const struct model_work *w = &c->w;
    const struct profile *p = &c->p;
    double bytes = s->kv_tokens_full * w->kv_bytes_per_token_full +
                   s->kv_tokens_swa * w->kv_bytes_per_token_swa;
    /* MLA re-decompresses the cached latents of prompts being prefilled
     * in chunks, every step: a kv_b_proj GEMM and its traffic. */
    bytes += s->prefill_ctx_tokens * w->mla_ctx_bytes_per_token;
    double mem = bytes / (p->v[PROF_MEM_BW_BYTES_PER_S] * p->v[PROF_BW_EFF_KV]);
    double prefill_pairs = s->attn_pairs_full - s->attn_pairs_full_decode;
    double comp = prefill_pairs * w->attn_flops_per_pair_full / c->attn_flops_full +
                  s->attn_pairs_full_decode * w->attn_flops_per_pair_full_decode / c->attn_flops_full_decode +
                  s->attn_pairs_swa * w->attn_flops_per_pair_swa / c->attn_flops_swa +
                  s->prefill_ctx_tokens * w->mla_ctx_flops_per_token /
                      (p->v[PROF_PEAK_FLOPS_BF16] * p->v[PROF_GEMM_EFF_BF16]);
    return overlap(c, mem, comp);
}

static double state_seconds(const struct cost_model *c, const struct step_shape *s)
{
    const struct model_work *w = &c->w;
    const struct profile *p = &c->p;
    /* Each sequence's recurrent state is read once per step and written
     * once per state kept (state_writes: every verified draft position). */
    double mem = w->state_bytes_per_seq * (s->n_seqs + s->state_writes) /
                 (p->v[PROF_MEM_BW_BYTES_PER_S] * p->v[PROF_BW_EFF_WEIGHTS]);
    double comp = w->state_flops_per_token * (double)s->n_tokens /
                  (p->v[PROF_PEAK_FLOPS_BF16] * p->v[PROF_RECURRENT_EFF]);
    return overlap(c, mem, comp);
}

/* The element-wise kernels between the GEMMs stream each token's
 * activations through DRAM (a prefill chunk's activations are far larger
 * than L2): their time grows with tokens whatever the GEMMs' precision,
 * which is why a 4x faster FP4 GEMM does not make prefill 4x faster. */
static double activations_seconds(const struct cost_model *c, const struct step_shape *s)
{
    const struct profile *p = &c->p;
    return (double)s->n_tokens * c->w.elementwise_bytes_per_token /
           (p->v[PROF_MEM_BW_BYTES_PER_S] * p->v[PROF_BW_EFF_WEIGHTS]);
}

/* Fixed costs of a step, counted per residual block: every block
 * launches its norms, activations, rotary and residual kernels and waits
 * out each launch gap whatever the batch, so a model pays
 * block_overhead_s for each of its blocks. The arena's smallest model
 * (Qwen3.5-0.8B, 48 blocks) decodes one token in 8.6 ms, about 7 of them
 * reading its weights; a fixed 2.3 ms per step, fitted to the larger
 * models, made it 12% slow in-sample and 18% left out. */
static double overhead_seconds(const struct cost_model *c, const struct step_shape *s)
{
    const struct profile *p = &c->p;
    return p->v[PROF_BLOCK_OVERHEAD_S] * c->w.n_residual_blocks +
           s->n_seqs * p->v[PROF_SEQ_OVERHEAD_S] + (double)s->n_tokens * p->v[PROF_TOKEN_OVERHEAD_S];
}

double cost_step_seconds(struct cost_model *c, const struct step_shape *s,
                         struct cost_breakdown *bd)
{
    struct cost_breakdown b;
    b.weights_s = weights_seconds(c, s) + drafter_seconds(c, s);
    b.attention_s = attention_seconds(c, s);
    b.state_s = state_seconds(c, s);
    b.activations_s = activations_seconds(c, s);
    b.overhead_s = overhead_seconds(c, s);
    b.gpu_s = b.weights_s + b.attention_s + b.state_s + b.activations_s + b.overhead_s;
    b.cpu_s = c->p.v[PROF_CPU_STEP_S];
    /* Async scheduling overlaps the CPU's work for the next step with this
     * step's GPU work (vLLM >= 0.14 default; serving-semantics.md 1.6). */
    b.step_s = c->async ? (b.gpu_s > b.cpu_s ? b.gpu_s : b.cpu_s) : b.gpu_s + b.cpu_s;
    if (bd)
        *bd = b;
    return b.step_s;
}

double cost_client_latency_s(const struct cost_model *c)
{
    return c->p.v[PROF_CLIENT_LATENCY_S];
}

double cost_frontend_s(const struct cost_model *c)
{
    return c->p.v[PROF_FRONTEND_REQUEST_S];
}
