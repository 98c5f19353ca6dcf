//! Cache hints shared by the hot loops (dedupe's sorted windows, the
//! scheduler's decision): ask the CPU for memory before it is read.

/// Ask the CPU to bring `p`'s cache line in (a hint; no effect elsewhere).
#[inline(always)]
pub(crate) fn prefetch_ptr<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults, whatever the address,
    // and SSE is in every x86_64 target's baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch(p as *const i8, std::arch::x86_64::_MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Ask for the first cache lines of `s` (up to 256 bytes); an empty slice's
/// dangling pointer is fine, as for any prefetch.
#[inline(always)]
pub(crate) fn prefetch_slice<T>(s: &[T]) {
    let p = s.as_ptr().cast::<u8>();
    let bytes = std::mem::size_of_val(s).min(256);
    for off in (0..bytes).step_by(64) {
        prefetch_ptr(p.wrapping_add(off));
    }
}
