//! SQLite's own allocations go to mimalloc rather than the C library's allocator, and without
//! SQLite's allocation statistics. A bulk import makes and frees millions of small, short-lived
//! buffers (bound values, search-index terms, records); glibc's allocator and the statistics'
//! global lock took a fifth of the writer's time.

use std::os::raw::{c_int, c_void};
use std::sync::Once;

use libmimalloc_sys as mi;
use libsqlite3_sys as ffi;

unsafe extern "C" fn allocate(n: c_int) -> *mut c_void {
    mi::mi_malloc(n.max(0) as usize)
}

unsafe extern "C" fn free(p: *mut c_void) {
    mi::mi_free(p)
}

unsafe extern "C" fn reallocate(p: *mut c_void, n: c_int) -> *mut c_void {
    mi::mi_realloc(p, n.max(0) as usize)
}

unsafe extern "C" fn size(p: *mut c_void) -> c_int {
    mi::mi_usable_size(p) as c_int
}

unsafe extern "C" fn round_up(n: c_int) -> c_int {
    (n + 7) & !7
}

unsafe extern "C" fn init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn shutdown(_: *mut c_void) {}

/// Configures SQLite's allocator, once, before its first connection. Were SQLite already in use,
/// both calls would be refused and it would keep its defaults, which are only slower.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(allocate),
            xFree: Some(free),
            xRealloc: Some(reallocate),
            xSize: Some(size),
            xRoundup: Some(round_up),
            xInit: Some(init),
            xShutdown: Some(shutdown),
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: SQLite copies `methods`; before SQLite initialises nothing else is using it.
        let (allocator, statistics) = unsafe {
            (
                ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &methods as *const ffi::sqlite3_mem_methods),
                ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int),
            )
        };
        if allocator != ffi::SQLITE_OK || statistics != ffi::SQLITE_OK {
            tracing::debug!(allocator, statistics, "SQLite was already initialised; it keeps its allocator");
        }
    });
}
