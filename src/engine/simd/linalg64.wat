;; The host's float64 reductions behind the isometry gap (../isometry) in WebAssembly SIMD: the Gram of a representation
;; and the columns of a pivoted Cholesky factor. Each f64x2 accumulator's lanes sum the very terms, in the very order, of
;; the JavaScript twins in ./linalg64 (lowerGramScalar, factorColumnScalar), so both give bit-identical results. Built into
;; linalg64Binary.ts by scripts/build-wasm.mjs (wabt): run `npm run build:wasm` after editing.
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
        (br $rowsA))))

  ;; factorColumn(l, n, k, c, inv): L[i, k] = (c[i] − Σ_{t<k} L[i, t]·L[k, t])·inv for i = k+1 … n−1, L n×n row-major
  ;; at byte offset l and c n values at byte offset c. The sum runs as four partial sums (t mod 4, the last k mod 4 terms
  ;; into the first), added as (s0 + s1) + (s2 + s3): lanes of two f64x2 accumulators.
  (func (export "factorColumn") (param $l i32) (param $n i32) (param $k i32) (param $c i32) (param $inv f64)
    (local $i i32) (local $t i32) (local $row i32) (local $rk i32) (local $ri i32) (local $fourBytes i32) (local $kBytes i32)
    (local $v01 v128) (local $v23 v128) (local $s0 f64)
    (local.set $row (i32.shl (local.get $n) (i32.const 3)))
    (local.set $rk (i32.add (local.get $l) (i32.mul (local.get $k) (local.get $row))))
    (local.set $kBytes (i32.shl (local.get $k) (i32.const 3)))
    (local.set $fourBytes (i32.shl (i32.and (local.get $k) (i32.const -4)) (i32.const 3)))
    (local.set $i (i32.add (local.get $k) (i32.const 1)))
    (block $doneI
      (loop $rowsI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $ri (i32.add (local.get $l) (i32.mul (local.get $i) (local.get $row))))
        (local.set $v01 (f64x2.replace_lane 0 (v128.const f64x2 0 0)
          (f64.load (i32.add (local.get $c) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $v23 (v128.const f64x2 0 0))
        (local.set $t (i32.const 0))
        (block $doneT
          (loop $quads
            (br_if $doneT (i32.ge_u (local.get $t) (local.get $fourBytes)))
            (local.set $v01 (f64x2.sub (local.get $v01) (f64x2.mul
              (v128.load align=8 (i32.add (local.get $ri) (local.get $t)))
              (v128.load align=8 (i32.add (local.get $rk) (local.get $t))))))
            (local.set $v23 (f64x2.sub (local.get $v23) (f64x2.mul
              (v128.load offset=16 align=8 (i32.add (local.get $ri) (local.get $t)))
              (v128.load offset=16 align=8 (i32.add (local.get $rk) (local.get $t))))))
            (local.set $t (i32.add (local.get $t) (i32.const 32)))
            (br $quads)))
        (local.set $s0 (f64x2.extract_lane 0 (local.get $v01)))
        (block $doneTail
          (loop $tail
            (br_if $doneTail (i32.ge_u (local.get $t) (local.get $kBytes)))
            (local.set $s0 (f64.sub (local.get $s0) (f64.mul
              (f64.load (i32.add (local.get $ri) (local.get $t)))
              (f64.load (i32.add (local.get $rk) (local.get $t))))))
            (local.set $t (i32.add (local.get $t) (i32.const 8)))
            (br $tail)))
        (f64.store (i32.add (local.get $ri) (local.get $kBytes))
          (f64.mul
            (f64.add
              (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $v01)))
              (f64.add (f64x2.extract_lane 0 (local.get $v23)) (f64x2.extract_lane 1 (local.get $v23))))
            (local.get $inv)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rowsI)))))
