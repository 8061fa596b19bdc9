//! BlueScript's number rules, written from the specification (sections 3.2, 3.4, 4.1, 4.5,
//! 13 and 15.1) and the project's `docs/semantics.md`: 32-bit wrapping integers, binary32
//! floats, the 30-bit integer and 6-bit-exponent float boxing that `print` and string
//! concatenation apply, and the two float output formats.

/// The low 30 bits of `v`, sign-extended: what boxing keeps of an integer (spec 3.2).
pub fn box_int(v: i32) -> i32 {
    v.wrapping_shl(2) >> 2
}

/// 2^-96 and 2^96 as binary32 (both exact).
const TWO_M96: f32 = f32::from_bits((127 - 96) << 23);
const TWO_96: f32 = f32::from_bits((127 + 96) << 23);

/// The boxed word of a float (spec 15.1): scale by 2^-96 in binary32; an exponent field whose
/// top two bits are set or whose low six bits are all ones becomes infinity; otherwise keep the
/// sign, six exponent bits and the fraction, shifted left by two, with tag 01. NaN boxes to
/// `0x7F000001`.
pub fn box_float(v: f32) -> u32 {
    if v.is_nan() {
        return 0x7F00_0001;
    }
    let bits = (v * TWO_M96).to_bits();
    let sign = bits & 0x8000_0000;
    let exp = (bits >> 23) & 0xFF;
    let frac = bits & 0x007F_FFFF;
    if exp & 0xC0 != 0 || exp & 0x3F == 0x3F {
        sign | (63 << 25) | 1
    } else {
        sign | (exp << 25) | (frac << 2) | 1
    }
}

/// The float a boxed word holds: the reverse of [`box_float`].
pub fn unbox_float(w: u32) -> f32 {
    let sign = w & 0x8000_0000;
    let exp = (w >> 25) & 0x3F;
    let frac = (w >> 2) & 0x007F_FFFF;
    if exp == 63 {
        if frac == 0 {
            f32::from_bits(sign | 0x7F80_0000)
        } else {
            f32::NAN
        }
    } else {
        f32::from_bits(sign | (exp << 23) | frac) * TWO_96
    }
}

/// A float after a trip through its boxed form.
pub fn boxed_float(v: f32) -> f32 {
    unbox_float(box_float(v))
}

/// How `print` shows an integer: its boxed value in decimal.
pub fn print_int(v: i32) -> String {
    box_int(v).to_string()
}

/// How `print` shows a float: C `%f` of the boxed value (exactly six decimals, rounded to
/// nearest with ties to even as glibc does; `inf`, `-inf`, `nan`; `-0.000000` keeps its sign).
pub fn print_float(v: f32) -> String {
    let b = boxed_float(v);
    if b.is_nan() {
        return "nan".to_string();
    }
    let sign = if b.is_sign_negative() { "-" } else { "" };
    if b.is_infinite() {
        return format!("{sign}inf");
    }
    // Rust formats the exact binary value with round-half-to-even, like glibc's printf.
    format!("{sign}{:.6}", f64::from(b.abs()))
}

/// How string concatenation shows a float: the short algorithm of spec 13.3, in binary32
/// arithmetic throughout, on the boxed value; the integer part is printed exactly (spec 17 item
/// 9), infinities are `inf` / `-inf` and NaN is `nan`.
pub fn short_float(v: f32) -> String {
    let mut f = boxed_float(v);
    if f.is_nan() {
        return "nan".to_string();
    }
    if f == 0.0 {
        return "0.0".to_string();
    }
    let mut s = String::new();
    if f < 0.0 {
        s.push('-');
        f = -f;
    }
    if f.is_infinite() {
        s.push_str("inf");
        return s;
    }
    let n = f.trunc();
    // Boxed magnitudes are below 2^32, so the integer part fits a u64 exactly.
    s.push_str(&(n as u64).to_string());
    s.push('.');
    let mut frac = f - n;
    let mut limit: f32 = 0.000_001;
    if frac < limit {
        s.push('0');
    } else {
        for _ in 0..6 {
            if frac < limit {
                break;
            }
            frac *= 10.0;
            let d = frac.trunc();
            s.push(char::from(b'0'.wrapping_add(d as u8)));
            frac -= d;
            limit *= 10.0;
        }
    }
    s
}

/// `float as integer`: truncation toward zero, saturating at the 32-bit limits, NaN gives 0.
pub fn float_to_int(v: f32) -> i32 {
    // Rust's `as` has exactly these semantics.
    v as i32
}

/// Integer `/`: truncating, wrapping (`MIN / -1` is `MIN`); `None` for division by zero.
pub fn int_div(a: i32, b: i32) -> Option<i32> {
    if b == 0 {
        None
    } else {
        Some(a.wrapping_div(b))
    }
}

/// Integer `%`: the sign of the dividend (`MIN % -1` is 0); `None` for division by zero.
pub fn int_rem(a: i32, b: i32) -> Option<i32> {
    if b == 0 {
        None
    } else {
        Some(a.wrapping_rem(b))
    }
}

/// Integer `**`: the exact power modulo 2^32; with a negative exponent, `1 / a^-b` truncated
/// toward zero; `None` (division by zero) for `0 ** negative`.
pub fn int_pow(a: i32, b: i32) -> Option<i32> {
    if b >= 0 {
        Some(a.wrapping_pow(b as u32))
    } else {
        match a {
            0 => None,
            1 => Some(1),
            -1 => Some(if b % 2 == 0 { 1 } else { -1 }),
            _ => Some(0),
        }
    }
}

/// `a << b` with the count masked by 31.
pub fn shl(a: i32, b: i32) -> i32 {
    a.wrapping_shl((b & 31) as u32)
}

/// `a >> b` (arithmetic) with the count masked by 31.
pub fn shr(a: i32, b: i32) -> i32 {
    a.wrapping_shr((b & 31) as u32)
}

/// `a >>> b`: the 32-bit pattern shifted as unsigned, read back as signed.
pub fn ushr(a: i32, b: i32) -> i32 {
    ((a as u32) >> ((b & 31) as u32)) as i32
}

/// The binary32 value of a float literal as written: correctly rounded from its decimal text.
pub fn parse_float_literal(text: &str) -> f32 {
    text.parse::<f32>().unwrap_or(f32::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_box_to_30_bits() {
        assert_eq!(print_int(536_870_911), "536870911");
        assert_eq!(print_int(536_870_912), "-536870912");
        assert_eq!(print_int(2_147_483_647), "-1");
        assert_eq!(print_int(1_073_741_824), "0");
        assert_eq!(print_int(1_932_053_504), "-215430144");
    }

    #[test]
    fn print_float_examples_from_the_spec() {
        assert_eq!(print_float(16_777_217.0), "16777216.000000");
        assert_eq!(print_float(1.0 / 3.0), "0.333333");
        assert_eq!(print_float(65536.0 * 65536.0), "inf");
        assert_eq!(print_float(-65536.0 * 65536.0), "-inf");
        assert_eq!(print_float(-0.5), "-0.500000");
        assert_eq!(print_float(2.0 / 3.0), "0.666667");
        assert_eq!(print_float(1.0e-7), "0.000000");
        assert_eq!(print_float(123_456_789.0), "123456792.000000");
        assert_eq!(print_float(0.1 + 0.2), "0.300000");
        assert_eq!(print_float(-0.0), "-0.000000");
        assert_eq!(print_float(f32::NAN), "nan");
        assert_eq!(print_float(-f32::NAN), "nan");
        assert_eq!(print_float(4_294_967_040.0), "4294967040.000000");
        assert_eq!(print_float(1_073_741_824.0), "1073741824.000000");
        assert_eq!(print_float(f32::MAX), "inf");
    }

    #[test]
    fn print_float_rounds_ties_to_even() {
        // 3/128 = 0.0234375 lies exactly between 0.023437 and 0.023438.
        assert_eq!(print_float(3.0 / 128.0), "0.023438");
        assert_eq!(print_float(1.0 / 128.0), "0.007812");
    }

    #[test]
    fn boxing_keeps_exact_values_from_2_pow_minus_30_to_2_pow_32() {
        for v in [
            1.0f32,
            -1.5,
            0.1,
            3.0e9,
            4_294_967_040.0,
            9.313_226e-10,
            -9.313_226e-10,
        ] {
            assert_eq!(boxed_float(v), v, "{v}");
        }
        assert_eq!(boxed_float(4_294_967_296.0), f32::INFINITY);
        assert_eq!(boxed_float(-1.0e30), f32::NEG_INFINITY);
        // Below 2^-30 precision is lost gradually, and the value reaches zero near 2^-53.
        let tiny = 2.0f32.powi(-40) * 1.234_567;
        assert_ne!(boxed_float(tiny), tiny);
        assert!((boxed_float(tiny) - tiny).abs() < 2.0f32.powi(-52));
        assert_eq!(boxed_float(2.0f32.powi(-60)), 0.0);
        assert_eq!(box_float(0.0), 1);
        assert_eq!(box_float(f32::NAN), 0x7F00_0001);
    }

    #[test]
    fn short_float_examples_from_the_spec() {
        let cases: [(f32, &str); 16] = [
            (3.0, "3.0"),
            (2.5, "2.5"),
            (0.3, "0.3"),
            (1.1, "1.1"),
            (0.25, "0.25"),
            (1.0 / 3.0, "0.333333"),
            (100.07, "100.069999"),
            (123_456.79, "123456.789062"),
            (-2.25, "-2.25"),
            (12.000_001, "12.0"),
            (0.000_001, "0.000000"),
            (1e-9, "0.0"),
            (0.0, "0.0"),
            (-0.0, "0.0"),
            (2.0 / 3.0, "0.666666"),
            (16_777_217.0, "16777216.0"),
        ];
        for (v, want) in cases {
            assert_eq!(short_float(v), want, "{v}");
        }
        assert_eq!(short_float(3.0e9), "3000000000.0");
        assert_eq!(short_float(-3.0e9), "-3000000000.0");
        assert_eq!(short_float(65536.0 * 65536.0), "inf");
        assert_eq!(short_float(f32::NAN), "nan");
    }

    #[test]
    fn integer_operators() {
        assert_eq!(int_div(7, 2), Some(3));
        assert_eq!(int_div(-7, 2), Some(-3));
        assert_eq!(int_rem(-7, 2), Some(-1));
        assert_eq!(int_div(i32::MIN, -1), Some(i32::MIN));
        assert_eq!(int_rem(i32::MIN, -1), Some(0));
        assert_eq!(int_div(1, 0), None);
        assert_eq!(int_rem(1, 0), None);
        assert_eq!(int_pow(2, 10), Some(1024));
        assert_eq!(int_pow(10, 9), Some(1_000_000_000));
        assert_eq!(int_pow(2, 31), Some(i32::MIN));
        assert_eq!(int_pow(2, 32), Some(0));
        assert_eq!(int_pow(3, 20), Some(-808_182_895));
        assert_eq!(int_pow(2, -1), Some(0));
        assert_eq!(int_pow(1, -5), Some(1));
        assert_eq!(int_pow(-1, -3), Some(-1));
        assert_eq!(int_pow(-1, -2), Some(1));
        assert_eq!(int_pow(0, -1), None);
        assert_eq!(shl(1, 33), 2);
        assert_eq!(shr(256, 36), 16);
        assert_eq!(ushr(5, 33), 2);
        assert_eq!(shr(8, -30), 2);
        assert_eq!(ushr(-16, 28), 15);
        assert_eq!(shr(-16, 2), -4);
        assert_eq!(float_to_int(3.9), 3);
        assert_eq!(float_to_int(-3.9), -3);
        assert_eq!(float_to_int(f32::NAN), 0);
        assert_eq!(float_to_int(3.0e9), i32::MAX);
        assert_eq!(float_to_int(-1.0e30), i32::MIN);
    }

    #[test]
    fn float_literals_round_to_binary32() {
        assert_eq!(parse_float_literal("0.1"), 0.1f32);
        assert_eq!(parse_float_literal("16777217.0"), 16_777_216.0);
        assert_eq!(parse_float_literal("1e3"), 1000.0);
        assert_eq!(parse_float_literal(".5"), 0.5);
        assert_eq!(parse_float_literal("5."), 5.0);
    }
}
