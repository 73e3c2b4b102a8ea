//! Allocated memory, counted: the system allocator with a running total and its
//! high-water mark, printed at exit when `IMPACT_ALLOC_STATS` is set (the bench reads
//! it). Resident memory (what the bench also measures) includes the input file
//! mapped into memory and pages the allocator keeps; this is what the program asked for.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

pub struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only counters are
// added around it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is the system allocator's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        NOW.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            NOW.fetch_sub(layout.size(), Relaxed);
            grew(new_size);
        }
        p
    }
}

fn grew(size: usize) {
    let now = NOW.fetch_add(size, Relaxed) + size;
    PEAK.fetch_max(now, Relaxed);
}

/// Print the peak to standard error when asked (`IMPACT_ALLOC_STATS`).
pub fn report() {
    if std::env::var_os("IMPACT_ALLOC_STATS").is_some() {
        eprintln!("alloc: peak {} bytes", PEAK.load(Relaxed));
    }
}

/// glibc gives a freed block of more than 32 MB straight back to the system, and takes
/// fresh pages (zeroed by the kernel, a fault each) for the next: reading 10M Parquet
/// rows faulted in 280,000 pages, a fifth of the CPU time in the kernel. Blocks up to
/// 256 MB come from the heap instead, and up to 1 GB freed stays there, so each batch
/// reuses the last one's memory: that read went from 2.19 to 1.98 s (medians of 3)
/// for 15% more resident memory. Called first thing, before any thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn keep_freed_memory() {
    use std::ffi::c_int;
    extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    // glibc's <malloc.h>.
    const M_TRIM_THRESHOLD: c_int = -1;
    const M_TOP_PAD: c_int = -2;
    const M_MMAP_THRESHOLD: c_int = -3;
    // SAFETY: mallopt only sets the allocator's parameters; these are in range, and no
    // other thread is allocating yet. A refusal (0) leaves glibc's defaults, which work.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 256 << 20);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
        mallopt(M_TOP_PAD, 64 << 20);
    }
}

/// Other systems' allocators are left as they are.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_freed_memory() {}
