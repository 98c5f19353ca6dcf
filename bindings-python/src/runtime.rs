//! One tokio runtime for the process, rebuilt in a forked child.
//!
//! After `fork()` the parent's worker threads do not exist in the child, so a
//! child that used the inherited runtime would hang. A `pthread_atfork` child
//! hook clears the slot; the old runtime is leaked on purpose (dropping it
//! would try to join threads that are gone).

use std::ptr;
use std::sync::Once;
use std::sync::atomic::{AtomicPtr, Ordering};

use tokio::runtime::Runtime;

static RUNTIME: AtomicPtr<Runtime> = AtomicPtr::new(ptr::null_mut());
static ATFORK: Once = Once::new();

extern "C" fn after_fork_child() {
    RUNTIME.store(ptr::null_mut(), Ordering::SeqCst);
}

/// The process runtime, created on first use (and again after a fork).
pub fn get() -> &'static Runtime {
    let current = RUNTIME.load(Ordering::Acquire);
    if !current.is_null() {
        // SAFETY: pointers in the slot come from Box::into_raw and are never freed.
        return unsafe { &*current };
    }
    ATFORK.call_once(|| {
        // SAFETY: registering a plain extern "C" function with no captured state.
        unsafe {
            libc::pthread_atfork(None, None, Some(after_fork_child));
        }
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("wacrm-py")
        .enable_all()
        .build()
        .expect("tokio runtime");
    let fresh = Box::into_raw(Box::new(rt));
    match RUNTIME.compare_exchange(ptr::null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
        // SAFETY: we just stored it; never freed.
        Ok(_) => unsafe { &*fresh },
        Err(existing) => {
            // SAFETY: `fresh` was never shared.
            drop(unsafe { Box::from_raw(fresh) });
            // SAFETY: as above.
            unsafe { &*existing }
        }
    }
}
