"""Write tests/fixtures/fmt.json: what PyTorch prints for `repr(tensor)`.

Run with a Python that has torch installed, from the repository root:

    python tools/parity/fmt_fixtures.py

Each case records the tensor's values (flat, row-major), shape and dtype, whether it is a
boolean tensor, the suffixes PyTorch appended after the dtype (`requires_grad=True`,
`grad_fn=<...>`), and the exact text of `repr(t)`. `tests/fmt_parity.rs` rebuilds every tensor
in candle and compares `d2l::fmt::tensor_repr` with that text byte for byte.

Floats are written as Python's `repr(float(x))`, which reads back as the same double, so
float32/float16/bfloat16 values round-trip exactly. Non-finite values and negative zero are
written as the strings "nan", "inf", "-inf" and "-0.0".
"""

import json
import math

import torch

from common import write_text


def encode(x):
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0.0 and math.copysign(1.0, x) < 0:
        return "-0.0"
    return float(x)


def grad_suffix(t):
    """The suffix PyTorch adds for autograd, read from the tensor itself."""
    if t.grad_fn is not None:
        return [f"grad_fn=<{type(t.grad_fn).__name__}>"]
    if t.requires_grad:
        return ["requires_grad=True"]
    return []


CASES = []


def case(name, t):
    flat = t.detach().reshape(-1).tolist()
    CASES.append(
        {
            "name": name,
            "values": [encode(x) for x in flat],
            "shape": list(t.shape),
            "dtype": str(t.dtype).removeprefix("torch."),
            "is_bool": t.dtype == torch.bool,
            "suffixes": grad_suffix(t),
            "expected": repr(t),
        }
    )


def leaf(t):
    """The same values as a leaf that requires grad: `requires_grad=True`."""
    return t.detach().clone().requires_grad_()


def times_one(t):
    """The same values (x * 1 is exact, -0.0 included) with `grad_fn=<MulBackward0>`."""
    return leaf(t) * 1


def main():
    torch.manual_seed(0)
    nan, inf = float("nan"), float("inf")

    # Fixed notation.
    small = torch.randn(2, 3)
    case("randn_2x3", small)
    case("randn_2x3_requires_grad", leaf(small))
    case("randn_2x3_mul_backward", times_one(small))
    case("negative", -torch.rand(2, 4) * 10)
    case("wide_fixed_values", torch.tensor([0.5, -123.25, 400.0625]))
    case("ratio_just_over_1000", torch.tensor([0.5, -123.25, 999.0625]))
    case("one_element", torch.tensor([2.5]))
    case("randn_1x30_wraps", torch.randn(1, 30))
    case("randn_30_wraps", torch.randn(30))
    case("randn_30_wraps_requires_grad", leaf(torch.randn(30)))
    case("randn_8x8", torch.randn(8, 8))
    case("uniform_5x7", torch.rand(5, 7))
    case("fixed_ratio_just_under_1000", torch.tensor([0.001, 0.999]))
    case("rounding_ties", torch.tensor([0.03125, 0.09375, 0.15625, 1.5]))

    # Integer-valued floats.
    case("integer_floats", torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    case("integer_floats_negative", torch.tensor([-3.0, 10.0, 250.0]))
    case("integer_floats_requires_grad", leaf(torch.tensor([1.0, 2.0])))
    case("all_zero", torch.zeros(2, 3))
    case("all_zero_requires_grad", leaf(torch.zeros(4)))
    case("ones_3x4", torch.ones(3, 4))
    case("arange_float_30", torch.arange(30.0))

    # Scientific notation.
    case("mixed_1e-5_and_1", torch.tensor([1e-5, 1.0, 0.5]))
    case("tiny", torch.tensor([1e-5, 2e-5, 3e-5]))
    case("very_large", torch.tensor([1e9, 2.5e10, -3.0e9]))
    case("large_integer_valued", torch.tensor([123456789.0, 1.0]))
    case("ratio_over_1000", torch.tensor([0.001, 2.0]))
    case("randn_8x8_sci", torch.randn(8, 8) * 1e-5)
    case("randn_8x8_sci_wide_range", torch.randn(8, 8) * torch.logspace(-3, 3, 8))
    case("randn_8x8_sci_requires_grad", leaf(torch.randn(8, 8) * 1e6))
    case("sci_with_zero", torch.tensor([0.0, 1e-6, 1.0]))
    # Boundaries of the notation rule: a ratio of exactly 1000 and a maximum of exactly
    # 1e8 stay fixed; float32's nearest value to 1e-4 is just below it, float64's is not.
    case("ratio_exactly_1000", torch.tensor([0.5, 500.0]))
    case("max_exactly_1e8", torch.tensor([1e8, 1e6]))
    case("min_1e-4_float32", torch.tensor([1e-4, 0.05]))
    case("min_1e-4_float64", torch.tensor([1e-4, 0.05], dtype=torch.float64))
    case("huge_float64", torch.tensor([1e100, -1e-100], dtype=torch.float64))

    # Non-finite values and signed zero.
    case("nan", torch.tensor([nan, 1.5, 2.0]))
    case("all_nan", torch.tensor([nan, nan]))
    case("inf", torch.tensor([inf, -inf, 1.0]))
    case("inf_fixed", torch.tensor([-inf, 0.25]))
    case("nan_inf_sci", torch.tensor([nan, inf, 1e-6, 1.0]))
    case("only_non_finite", torch.tensor([inf, -inf, nan]))
    case("negative_zero_int_mode", torch.tensor([-0.0, 0.0, 1.0]))
    case("negative_zero_fixed", torch.tensor([-0.0, 0.5]))
    case("negative_zero_sci", torch.tensor([-0.0, 1e-5]))
    case("negative_zero_only", torch.tensor([-0.0]))
    case("negative_zero_mul_backward", times_one(torch.tensor([-0.0, 0.5])))

    # 0-d tensors.
    case("scalar_fixed", torch.tensor(0.5))
    case("scalar_integer_valued", torch.tensor(3.0))
    case("scalar_sci", torch.tensor(1e-5))
    case("scalar_nan", torch.tensor(nan))
    case("scalar_negative_zero", torch.tensor(-0.0))
    case("scalar_int64", torch.tensor(7))
    case("scalar_bool", torch.tensor(True))
    case("scalar_float64", torch.tensor(2.25, dtype=torch.float64))
    case("scalar_requires_grad", leaf(torch.tensor(0.5)))
    case("scalar_sum_backward", leaf(torch.tensor([1.0, 2.5])).sum())

    # Empty tensors.
    case("empty", torch.tensor([]))
    case("empty_0x3", torch.empty(0, 3))
    case("empty_2x0x4", torch.empty(2, 0, 4))
    case("empty_int64", torch.tensor([], dtype=torch.int64))
    case("empty_bool", torch.tensor([], dtype=torch.bool))
    case("empty_float64_0x3", torch.empty(0, 3, dtype=torch.float64))
    case("empty_requires_grad", leaf(torch.empty(0, 3)))

    # Nesting.
    case("randn_2x3x4", torch.randn(2, 3, 4))
    case("randn_2x2x2x3", torch.randn(2, 2, 2, 3))
    case("int_2x2x2x2", torch.arange(16).reshape(2, 2, 2, 2))
    case("randn_2x3x4_requires_grad", leaf(torch.randn(2, 3, 4)))
    case("randn_1x1x1", torch.randn(1, 1, 1))
    case("randn_2x2x20_wraps", torch.randn(2, 2, 20))
    case("deep_nesting_wraps", torch.randn([1] * 8 + [30]))

    # Summarised (more than 1000 elements).
    case("randn_1001", torch.randn(1001))
    case("randn_50x50", torch.randn(50, 50))
    case("randn_50x50_requires_grad", leaf(torch.randn(50, 50)))
    case("randn_4x300", torch.randn(4, 300))
    case("randn_300x4", torch.randn(300, 4))
    case("randn_10x10x11", torch.randn(10, 10, 11))
    case("randn_2x3x13x13", torch.randn(2, 3, 13, 13))
    case("arange_10x200", torch.arange(2000).reshape(10, 200))
    case("arange_float_2000", torch.arange(2000.0))
    # The hidden middle holds a huge value: only the shown values choose the format.
    hidden = torch.rand(40, 40)
    hidden[20, 20] = 1e12
    case("summary_ignores_hidden_values", hidden)
    case("bool_50x50", torch.randn(50, 50) > 0)

    # Other dtypes.
    case("float64_3x3", torch.randn(3, 3, dtype=torch.float64))
    case("float64_requires_grad", leaf(torch.randn(3, dtype=torch.float64)))
    case("float64_wide_row", torch.randn(12, dtype=torch.float64))
    case("float64_wide_row_requires_grad", leaf(torch.randn(8, dtype=torch.float64)))
    case("float16", torch.randn(2, 3).half())
    case("bfloat16", torch.randn(2, 3).bfloat16())
    case("float16_sci", (torch.randn(2, 3) * 1e-3).half())
    case("float16_extremes", torch.tensor([65504.0, -2.0, 6e-8]).half())
    case("float8_e4m3fn", torch.tensor([1.0, -2.5, 0.125, 448.0, 0.3]).to(torch.float8_e4m3fn))
    case("float8_e4m3fn_fixed", torch.randn(2, 3).to(torch.float8_e4m3fn))
    case("bfloat16_integer_valued", torch.tensor([3.0, -256.0, 1e3]).bfloat16())
    case("int64", torch.randint(-100, 100, (3, 4)))
    case("int64_large", torch.tensor([2**40, -(2**62), 7]))
    case("int64_wide_row", torch.randint(0, 100000, (25,)))
    case("int32", torch.randint(-5, 5, (2, 5), dtype=torch.int32))
    case("int16", torch.tensor([1, -300, 2], dtype=torch.int16))
    case("uint8", torch.randint(0, 256, (3, 5), dtype=torch.uint8))
    case("uint8_scalar", torch.tensor(9, dtype=torch.uint8))
    case("uint32", torch.tensor([0, 4000000000, 12], dtype=torch.uint32))
    case("bool_1d", torch.tensor([True, False, True]))
    case("bool_all_true", torch.tensor([True, True]))
    case("bool_2x3", torch.randn(2, 3) > 0)
    case("bool_2x2x3", torch.randn(2, 2, 3) > 0)
    case("bool_wide_row", torch.randn(20) > 0)

    # Autograd suffixes from real operations, including suffixes that wrap to a new line.
    # A fresh seed keeps these values fixed when cases are added above.
    torch.manual_seed(1)
    x = torch.randn(2, 20)
    w = torch.randn(8, 20, requires_grad=True)
    b = torch.randn(8, requires_grad=True)
    case("addmm_2x8", torch.nn.functional.linear(x, w, b))
    case("addmm_1x8", torch.nn.functional.linear(x[:1], w, b))
    case("addmm_2x4", torch.nn.functional.linear(x, w[:4], b[:4]))
    case("relu_backward", torch.relu(torch.nn.functional.linear(x, w, b)))
    case("mul_backward_mixed_width", times_one(torch.tensor([0.5] * 8 + [-10.25])))
    # Two full lines of 8 elements: the last line is 79 characters, so the suffix wraps.
    case("mul_backward_wraps_suffix", times_one(torch.full((16,), -1.25)))
    case("requires_grad_wraps_suffix", leaf(torch.full((2, 8), -1.25)))
    case("mul_backward_9_values", times_one(torch.randn(9)))
    case("mul_backward_10_values", times_one(torch.randn(10)))
    case("float64_mul_backward_8", times_one(torch.randn(8, dtype=torch.float64)))

    # One case per line keeps the file small and its diffs readable.
    head = '{"torch_version": %s, "cases": [\n' % json.dumps(torch.__version__)
    write_text("fmt.json", head + ",\n".join(json.dumps(c) for c in CASES) + "\n]}\n")


if __name__ == "__main__":
    main()
