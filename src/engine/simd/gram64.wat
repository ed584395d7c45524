;; The float64 Gram of the isometry gap's representation path (../isometry), in WebAssembly SIMD: two rows
;; against two per pass over k, each accumulator an f64x2 whose lane 0 sums the even k and lane 1 the odd k. That is the
;; very order of its JavaScript twin (./gram64 lowerGramScalar: its s·· and t·· sums, s + t at the end, an odd d's last k
;; added to s), so the two give bit-identical Grams. Built into gram64Binary.ts by scripts/build-wasm.mjs (wabt): run
;; `npm run build:wasm` after editing.
(module
  (import "env" "memory" (memory 1))

  ;; lowerGram(y, n2, d, g, n): for even a < n2 and b ≤ a (b even), the 2×2 block of G = YYᵀ at (a, b) — rows of Y are
  ;; n contiguous float64 rows of length d at byte offset y; G is n×n row-major at byte offset g; the upper triangle of
  ;; the diagonal blocks is not written. n2 = n rounded down to even (the caller does an odd n's last row).
  (func (export "lowerGram") (param $y i32) (param $n2 i32) (param $d i32) (param $g i32) (param $n i32)
    (local $a i32) (local $b i32) (local $k i32)
    (local $row i32) (local $evenBytes i32) (local $gRow i32)
    (local $pa i32) (local $pa1 i32) (local $pb i32) (local $pb1 i32) (local $out i32)
    (local $x0 v128) (local $x1 v128) (local $y0 v128) (local $y1 v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $e00 f64) (local $e01 f64) (local $e10 f64) (local $e11 f64)
    (local $u0 f64) (local $u1 f64) (local $v0 f64) (local $v1 f64)
    (local.set $row (i32.shl (local.get $d) (i32.const 3)))
    (local.set $evenBytes (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 3)))
    (local.set $gRow (i32.shl (local.get $n) (i32.const 3)))
    (block $doneA
      (loop $rowsA
        (br_if $doneA (i32.ge_u (local.get $a) (local.get $n2)))
        (local.set $pa (i32.add (local.get $y) (i32.mul (local.get $a) (local.get $row))))
        (local.set $pa1 (i32.add (local.get $pa) (local.get $row)))
        (local.set $b (i32.const 0))
        (block $doneB
          (loop $rowsB
            (br_if $doneB (i32.gt_u (local.get $b) (local.get $a)))
            (local.set $pb (i32.add (local.get $y) (i32.mul (local.get $b) (local.get $row))))
            (local.set $pb1 (i32.add (local.get $pb) (local.get $row)))
            (local.set $s00 (v128.const f64x2 0 0))
            (local.set $s01 (v128.const f64x2 0 0))
            (local.set $s10 (v128.const f64x2 0 0))
            (local.set $s11 (v128.const f64x2 0 0))
            (local.set $k (i32.const 0))
            (block $doneK
              (loop $pairsK
                (br_if $doneK (i32.ge_u (local.get $k) (local.get $evenBytes)))
                (local.set $x0 (v128.load align=8 (i32.add (local.get $pa) (local.get $k))))
                (local.set $x1 (v128.load align=8 (i32.add (local.get $pa1) (local.get $k))))
                (local.set $y0 (v128.load align=8 (i32.add (local.get $pb) (local.get $k))))
                (local.set $y1 (v128.load align=8 (i32.add (local.get $pb1) (local.get $k))))
                (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $x0) (local.get $y0))))
                (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $x0) (local.get $y1))))
                (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $x1) (local.get $y0))))
                (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $x1) (local.get $y1))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $pairsK)))
            (local.set $e00 (f64x2.extract_lane 0 (local.get $s00)))
            (local.set $e01 (f64x2.extract_lane 0 (local.get $s01)))
            (local.set $e10 (f64x2.extract_lane 0 (local.get $s10)))
            (local.set $e11 (f64x2.extract_lane 0 (local.get $s11)))
            ;; An odd d: the last k joins the even sums.
            (if (i32.lt_u (local.get $evenBytes) (local.get $row))
              (then
                (local.set $u0 (f64.load (i32.add (local.get $pa) (local.get $evenBytes))))
                (local.set $u1 (f64.load (i32.add (local.get $pa1) (local.get $evenBytes))))
                (local.set $v0 (f64.load (i32.add (local.get $pb) (local.get $evenBytes))))
                (local.set $v1 (f64.load (i32.add (local.get $pb1) (local.get $evenBytes))))
                (local.set $e00 (f64.add (local.get $e00) (f64.mul (local.get $u0) (local.get $v0))))
                (local.set $e01 (f64.add (local.get $e01) (f64.mul (local.get $u0) (local.get $v1))))
                (local.set $e10 (f64.add (local.get $e10) (f64.mul (local.get $u1) (local.get $v0))))
                (local.set $e11 (f64.add (local.get $e11) (f64.mul (local.get $u1) (local.get $v1))))))
            ;; G[a, b], G[a, b+1] (below the diagonal only), G[a+1, b], G[a+1, b+1].
            (local.set $out (i32.add (local.get $g)
              (i32.add (i32.mul (local.get $a) (local.get $gRow)) (i32.shl (local.get $b) (i32.const 3)))))
            (f64.store (local.get $out) (f64.add (local.get $e00) (f64x2.extract_lane 1 (local.get $s00))))
            (if (i32.lt_u (local.get $b) (local.get $a))
              (then (f64.store offset=8 (local.get $out) (f64.add (local.get $e01) (f64x2.extract_lane 1 (local.get $s01))))))
            (local.set $out (i32.add (local.get $out) (local.get $gRow)))
            (f64.store (local.get $out) (f64.add (local.get $e10) (f64x2.extract_lane 1 (local.get $s10))))
            (f64.store offset=8 (local.get $out) (f64.add (local.get $e11) (f64x2.extract_lane 1 (local.get $s11))))
            (local.set $b (i32.add (local.get $b) (i32.const 2)))
            (br $rowsB)))
        (local.set $a (i32.add (local.get $a) (i32.const 2)))
        (br $rowsA)))))
