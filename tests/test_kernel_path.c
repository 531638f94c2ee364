/*
 * test_kernel_path.c - vLLM's kernel choice on GB10, row by row of
 * model/kernel_path.c: defaults per weight format and role, what each
 * flag changes, and the requests vLLM cannot serve.
 */
#include "cs_test.h"

#include "model/kernel_path.h"

static struct kpath_choice choose(enum weight_format f, enum gemm_role role, struct kernel_backends kb)
{
    struct kpath_choice c;
    struct cs_err err = { 0 };
    if (kpath_choose(f, role, &kb, &c, &err))
        fail_msg("%s", err.msg);
    return c;
}

static const struct kernel_backends defaults = { KBACKEND_DEFAULT, KBACKEND_DEFAULT, false, false };

static void test_defaults_follow_vllms_priority_lists(void **state)
{
    (void)state;
    assert_int_equal(choose(WFMT_BF16, GEMM_LINEAR, defaults).path, KPATH_BF16);
    assert_int_equal(choose(WFMT_BF16, GEMM_EXPERTS, defaults).path, KPATH_BF16);
    struct kpath_choice c = choose(WFMT_FP8_TENSOR, GEMM_LINEAR, defaults);
    assert_int_equal(c.path, KPATH_FP8_CUTLASS);
    assert_string_equal(c.kernel, "CutlassFP8ScaledMMLinearKernel");
    c = choose(WFMT_FP8_BLOCK, GEMM_LINEAR, defaults);
    assert_int_equal(c.path, KPATH_FP8_CUTLASS);
    assert_string_equal(c.kernel, "CutlassFp8BlockScaledMMKernel");
    assert_int_equal(choose(WFMT_FP8_BLOCK, GEMM_EXPERTS, defaults).path, KPATH_FP8_TRITON);
    assert_int_equal(choose(WFMT_FP8_TENSOR, GEMM_EXPERTS, defaults).path, KPATH_FP8_TRITON);
    /* official builds lack the SM120 NVFP4 kernels: Marlin, and it says why */
    c = choose(WFMT_NVFP4, GEMM_LINEAR, defaults);
    assert_int_equal(c.path, KPATH_FP4_MARLIN);
    assert_non_null(strstr(c.why, "lacks the SM120 NVFP4 kernels"));
    assert_int_equal(choose(WFMT_NVFP4, GEMM_EXPERTS, defaults).path, KPATH_FP4_MARLIN);
    assert_int_equal(choose(WFMT_MXFP4, GEMM_EXPERTS, defaults).path, KPATH_MXFP4_MARLIN);
    assert_int_equal(choose(WFMT_INT4, GEMM_LINEAR, defaults).path, KPATH_INT4_MARLIN);
    assert_int_equal(choose(WFMT_INT4, GEMM_EXPERTS, defaults).path, KPATH_INT4_MARLIN);
}

static void test_flags_and_build_change_the_path(void **state)
{
    (void)state;
    struct kernel_backends forced = defaults;
    forced.fp8_marlin = true;
    struct kpath_choice c = choose(WFMT_FP8_BLOCK, GEMM_LINEAR, forced);
    assert_int_equal(c.path, KPATH_FP8_MARLIN);
    assert_string_equal(c.why, "VLLM_TEST_FORCE_FP8_MARLIN=1");
    assert_int_equal(choose(WFMT_FP8_TENSOR, GEMM_EXPERTS, forced).path, KPATH_FP8_MARLIN);
    /* the FP8 switch leaves NVFP4 alone */
    assert_int_equal(choose(WFMT_NVFP4, GEMM_LINEAR, forced).path, KPATH_FP4_MARLIN);
    struct kernel_backends fp4 = defaults;
    fp4.sm120_fp4_kernels = true;
    assert_int_equal(choose(WFMT_NVFP4, GEMM_LINEAR, fp4).path, KPATH_FP4_CUTLASS);
    assert_int_equal(choose(WFMT_NVFP4, GEMM_EXPERTS, fp4).path, KPATH_FP4_CUTLASS);
    /* --linear-backend marlin beats the build */
    fp4.linear = KBACKEND_MARLIN;
    assert_int_equal(choose(WFMT_NVFP4, GEMM_LINEAR, fp4).path, KPATH_FP4_MARLIN);
    struct kernel_backends triton = { KBACKEND_TRITON, KBACKEND_DEFAULT, false, false };
    c = choose(WFMT_FP8_BLOCK, GEMM_LINEAR, triton);
    assert_int_equal(c.path, KPATH_FP8_TRITON);
    assert_string_equal(c.kernel, "TritonFp8BlockScaledMMKernel");
    struct kernel_backends cutlass = { KBACKEND_CUTLASS, KBACKEND_CUTLASS, false, false };
    assert_int_equal(choose(WFMT_NVFP4, GEMM_LINEAR, cutlass).path, KPATH_FP4_CUTLASS);
    assert_int_equal(choose(WFMT_FP8_BLOCK, GEMM_EXPERTS, cutlass).path, KPATH_FP8_CUTLASS);
}

static void test_impossible_requests_are_usage_errors(void **state)
{
    (void)state;
    struct kpath_choice c;
    struct cs_err err = { 0 };
    struct kernel_backends triton = { KBACKEND_TRITON, KBACKEND_TRITON, false, false };
    assert_int_equal(kpath_choose(WFMT_NVFP4, GEMM_LINEAR, &triton, &c, &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--linear-backend: vLLM has no Triton kernel for NVFP4 linears");
    assert_int_equal(kpath_choose(WFMT_NVFP4, GEMM_EXPERTS, &triton, &c, &err), CS_EUSAGE);
    assert_string_equal(err.msg, "--moe-backend: vLLM has no Triton kernel for NVFP4 experts");
    struct kernel_backends cutlass = { KBACKEND_DEFAULT, KBACKEND_CUTLASS, false, false };
    assert_int_equal(kpath_choose(WFMT_FP8_TENSOR, GEMM_EXPERTS, &cutlass, &c, &err), CS_EUSAGE);
    assert_non_null(strstr(err.msg, "vLLM #43507"));
}

static void test_weight_formats_from_storage(void **state)
{
    (void)state;
    assert_int_equal(kpath_weight_format(DTYPE_FP8, true), WFMT_FP8_BLOCK);
    assert_int_equal(kpath_weight_format(DTYPE_FP8, false), WFMT_FP8_TENSOR);
    assert_int_equal(kpath_weight_format(DTYPE_INT4, false), WFMT_INT4);
    assert_int_equal(kpath_weight_format(DTYPE_FP16, false), WFMT_BF16);
    assert_string_equal(kpath_weight_format_name(WFMT_FP8_BLOCK), "fp8 (128x128 blocks)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_follow_vllms_priority_lists),
        cmocka_unit_test(test_flags_and_build_change_the_path),
        cmocka_unit_test(test_impossible_requests_are_usage_errors),
        cmocka_unit_test(test_weight_formats_from_storage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
