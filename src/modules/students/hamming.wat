;; The stage-1 scan of the face index (face.index.ts): Hamming distances between a 256-bit query code and every
;; enrolled code, with a histogram of the distances, then the positions of the nearest ones. In WebAssembly because
;; i64.popcnt is one instruction: a scan of 1,000,000 codes is 32 MB of memory and a few milliseconds.
;; Compiled into hamming.wasm.ts by `node scripts/build-hamming-wasm.mjs` (wabt); edit this file, not that one.
(module
  (memory (export "memory") 1)

  ;; scan(codes, n, q, dist, hist): for i < n, dist[i] (u16) = popcount(code[i] xor query); hist[d] (u32) += 1.
  (func (export "scan") (param $codes i32) (param $n i32) (param $q i32) (param $dist i32) (param $hist i32)
    (local $end i32) (local $d i32) (local $h i32)
    (local $q0 i64) (local $q1 i64) (local $q2 i64) (local $q3 i64)
    (local.set $q0 (i64.load (local.get $q)))
    (local.set $q1 (i64.load offset=8 (local.get $q)))
    (local.set $q2 (i64.load offset=16 (local.get $q)))
    (local.set $q3 (i64.load offset=24 (local.get $q)))
    (local.set $end (i32.add (local.get $codes) (i32.shl (local.get $n) (i32.const 5))))
    (block $done
      (br_if $done (i32.ge_u (local.get $codes) (local.get $end)))
      (loop $next
        (local.set $d
          (i32.wrap_i64
            (i64.add
              (i64.add
                (i64.popcnt (i64.xor (i64.load (local.get $codes)) (local.get $q0)))
                (i64.popcnt (i64.xor (i64.load offset=8 (local.get $codes)) (local.get $q1))))
              (i64.add
                (i64.popcnt (i64.xor (i64.load offset=16 (local.get $codes)) (local.get $q2)))
                (i64.popcnt (i64.xor (i64.load offset=24 (local.get $codes)) (local.get $q3)))))))
        (i32.store16 (local.get $dist) (local.get $d))
        (local.set $h (i32.add (local.get $hist) (i32.shl (local.get $d) (i32.const 2))))
        (i32.store (local.get $h) (i32.add (i32.load (local.get $h)) (i32.const 1)))
        (local.set $dist (i32.add (local.get $dist) (i32.const 2)))
        (local.set $codes (i32.add (local.get $codes) (i32.const 32)))
        (br_if $next (i32.lt_u (local.get $codes) (local.get $end))))))

  ;; collect(dist, n, cutoff, ties, out) → m: out[0..m) = the positions i with dist[i] < cutoff, and the first
  ;; `ties` positions with dist[i] == cutoff.
  (func (export "collect") (param $dist i32) (param $n i32) (param $cutoff i32) (param $ties i32) (param $out i32) (result i32)
    (local $i i32) (local $d i32) (local $m i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (local.set $d (i32.load16_u (local.get $dist)))
        (if (i32.lt_u (local.get $d) (local.get $cutoff))
          (then
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $m) (i32.const 2))) (local.get $i))
            (local.set $m (i32.add (local.get $m) (i32.const 1))))
          (else
            (if (i32.and (i32.eq (local.get $d) (local.get $cutoff)) (i32.gt_s (local.get $ties) (i32.const 0)))
              (then
                (i32.store (i32.add (local.get $out) (i32.shl (local.get $m) (i32.const 2))) (local.get $i))
                (local.set $m (i32.add (local.get $m) (i32.const 1)))
                (local.set $ties (i32.sub (local.get $ties) (i32.const 1)))))))
        (local.set $dist (i32.add (local.get $dist) (i32.const 2)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get $n)))))
    (local.get $m))
)
