#!/usr/bin/env python3
"""Build model/catalog/<name>.json from ../shared/models/<name>.json.

Each catalog entry keeps the Hugging Face config.json keys (the
architecture) and adds one "_capsim" object with the normalised facts the
simulator needs: parameter counts, the MoE expert shape, the KV-cache
layout per layer kind, the recurrent state, the attention width, and which
parts of each benchmarked checkpoint are quantized. Facts come from the
shared catalog's computed fields (_params, _kv_cache, _checkpoints),
which ../shared/models/param_check.md checks against parameter badges and
vLLM boot logs. Usage: scripts/build_catalog.py [SHARED_MODELS_DIR]
"""
import json, os, re, sys

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "models")
DST = os.path.join(os.path.dirname(__file__), "..", "model", "catalog")

# Which parts each quantized checkpoint stores in which format (from each
# model's _checkpoints notes and param_check.md section 2; "other" is every
# linear layer that is not a routed expert; embeddings, lm_head, norms and
# routers stay BF16 in all of them).
COMPOSITION = {
    # param_check.md lists "all linear" (15.25 GiB) and "experts only"
    # (17.45 GiB) for this export; the arena's decode rates fit experts only
    # (all-linear would make single-stream decode 1.7x faster than measured),
    # matching nvidia's documented ignore list for the 31B (attention BF16).
    ("gemma-4-26b-a4b-it", "nvfp4"): {"experts": "nvfp4", "other": "bf16"},
    ("gemma-4-31b-it", "nvfp4"): {"experts": "nvfp4", "other": "bf16", "mlp": "nvfp4"},
    ("gpt-oss-20b", "mxfp4"): {"experts": "mxfp4", "other": "bf16"},
    ("nemotron-3-nano-30b-a3b", "nvfp4"): {"experts": "nvfp4", "other": "fp8"},
    ("nemotron-3-nano-omni-30b-a3b-reasoning", "nvfp4"): {"experts": "nvfp4", "other": "fp8"},
    ("nemotron-3-super-120b-a12b", "nvfp4"): {"experts": "nvfp4", "other": "bf16"},
    ("qwen-3.6-35b-a3b", "nvfp4"): {"experts": "nvfp4", "other": "bf16"},
    ("mistral-small-4-119b", "nvfp4"): {"experts": "nvfp4", "other": "bf16"},
}

def moe_shape(d):
    """(n_moe_layers, n_experts, top_k, params of one expert, shared expert params per layer)."""
    H = d["hidden_size"]
    E = d.get("num_experts") or d.get("n_routed_experts") or d.get("num_local_experts") or 0
    if not E or (d.get("enable_moe_block") is False):
        return 0, 0, 0, 0
    k = d.get("num_experts_per_tok") or d.get("top_k_experts") or d.get("experts_per_token")
    I = d.get("moe_intermediate_size") or d.get("intermediate_size")
    L = d["num_hidden_layers"]
    pat = d.get("hybrid_override_pattern")
    if pat:
        n_moe = pat.count("E")
    else:
        n_moe = L - (d.get("first_k_dense_replace") or 0)
    act = d.get("mlp_hidden_act") or d.get("hidden_act") or ""
    gated = 2 if act == "relu2" else 3
    latent = d.get("moe_latent_size")
    per = gated * (latent or H) * I if latent else gated * H * I
    if latent:
        per = 2 * latent * I
    return n_moe, E, k, per

def layer_counts(d, kv):
    return (kv.get("full_attention_layers", 0), kv.get("sliding_layers", 0),
            kv.get("recurrent_layers", 0))

def main():
    os.makedirs(DST, exist_ok=True)
    for fn in sorted(os.listdir(SRC)):
        if not fn.endswith(".json"):
            continue
        d = json.load(open(os.path.join(SRC, fn)))
        name = d["_model"]
        p, kv, ck = d["_params"], d["_kv_cache"], d.get("_checkpoints", {})
        H, V = d["hidden_size"], d["vocab_size"]
        n_moe, E, k, per_expert = moe_shape(d)
        full, sliding, rec = layer_counts(d, kv)
        el_full = kv.get("kv_elements_per_token_full_layer", kv.get("kv_elements_per_token_per_layer", 0))
        el_swa = kv.get("kv_elements_per_token_sliding_layer", kv.get("kv_elements_per_token_per_layer", 0)) if sliding else 0
        rstate = kv.get("recurrent_state_bytes_per_seq_per_layer", {})
        hd = d["head_dim"]
        hd_full = d.get("global_head_dim") or hd
        if "kv_lora_rank" in d:  # MLA: queries attend in the latent space
            hd_full = d["kv_lora_rank"] + d.get("qk_rope_head_dim", 0)
        hf_ids = d.get("_hf_model_ids_benchmarked", [])
        default_by_id = {}
        # checkpoint keys may carry notes ("fp8 (run labelled bf16)"): the
        # first word is the precision
        ck = {key.split()[0]: c for key, c in ck.items()}
        for prec, c in ck.items():
            repo = c.get("repo")
            if repo:
                default_by_id[repo] = prec
        # The Ministral-3 Instruct-2512 repos ship FP8 weights under a plain name.
        if name.startswith("ministral-3-"):
            for i in hf_ids:
                default_by_id[i] = "fp8"
        checkpoints = {}
        for prec in ck:
            comp = COMPOSITION.get((name, prec))
            if comp is None:
                comp = {"experts": prec, "other": prec}
            checkpoints[prec] = dict(comp, note=ck[prec].get("weights", "")[:200])
            # FP8 with 128x128 block scales: vLLM 0.26's CUTLASS kernel for
            # it fails on SM121, so on GB10 these run through Marlin
            # (shared/research/gb10.md section 4).
            if prec == "fp8" and re.search(r"fine-grained|block-quantized", ck[prec].get("weights", "")):
                checkpoints[prec]["fp8_block"] = True
        if name.startswith("ministral-3-") and "fp8" not in checkpoints:
            checkpoints["fp8"] = {"experts": "fp8", "other": "fp8",
                                  "note": "FP8 weights shipped under the plain Instruct-2512 name"}
        kind = "dense"
        if n_moe:
            kind = "moe"
        if rec:
            kind = "hybrid+" + ("moe" if n_moe else "dense")
        if sliding:
            kind += "+swa"
        out = {k2: v for k2, v in d.items() if not k2.startswith("_")}
        out["_capsim"] = {
            "name": name,
            "hf_ids": hf_ids,
            "default_precision_by_hf_id": default_by_id,
            "type": kind,
            "confidence": d.get("_confidence", ""),
            "params": {
                "total": p["text_total"], "active": p["text_active_per_token"],
                "embedding": p["embedding"], "lm_head": H * V,
                "lm_head_untied": p.get("lm_head_untied", 0),
                "per_layer_embedding": p.get("per_layer_embedding_table", 0),
                "mtp": p.get("mtp_layers", 0),
                "vision": p.get("vision_encoder") or 0, "audio": p.get("audio_encoder") or 0,
            },
            "moe": {"layers": n_moe, "experts": E, "top_k": k or 0, "expert_params": per_expert},
            "attention": {"q_heads": d["num_attention_heads"], "head_dim_full": hd_full,
                          "head_dim_sliding": hd},
            "kv": {"full_layers": full, "sliding_layers": sliding,
                   "sliding_window": kv.get("sliding_window", 0) if sliding else 0,
                   "elements_per_token_full_layer": el_full,
                   "elements_per_token_sliding_layer": el_swa,
                   "recurrent_layers": rec,
                   "recurrent_conv_bytes_per_layer": rstate.get("conv_bf16", 0),
                   "recurrent_ssm_bytes_per_layer": rstate.get("ssm_fp32", 0)},
            "checkpoints": checkpoints,
            "source": "built by scripts/build_catalog.py from shared/models/" + fn,
        }
        with open(os.path.join(DST, name + ".json"), "w") as f:
            json.dump(out, f, indent=1, sort_keys=False)
            f.write("\n")

if __name__ == "__main__":
    main()
