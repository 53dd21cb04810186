//! SQLCipher encrypts with OpenSSL's libcrypto, which by default frees its global state in an
//! `atexit` handler. sqlx runs each connection on a thread of its own, and those threads free their
//! OpenSSL thread state as they end. A command that ends right after closing its pool (a refused
//! import, say) can reach the handler while a connection's thread is still ending: both free the
//! same memory, and glibc aborts the process with "double free or corruption". Told not to clean up
//! at exit, OpenSSL leaves that memory to the operating system, which reclaims it anyway.

use std::os::raw::{c_int, c_void};
use std::sync::Once;

/// `OPENSSL_INIT_NO_ATEXIT` in OpenSSL's `crypto.h` (1.1.1b and later).
const NO_ATEXIT: u64 = 0x0008_0000;

extern "C" {
    fn OPENSSL_init_crypto(opts: u64, settings: *const c_void) -> c_int;
}

/// Initialises libcrypto without its exit handler, once, before SQLCipher first uses it: the first
/// initialisation decides whether the handler is registered.
pub fn no_cleanup_at_exit() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: a plain library initialisation with no settings; it may be called from any thread.
        let ok = unsafe { OPENSSL_init_crypto(NO_ATEXIT, std::ptr::null()) };
        if ok != 1 {
            tracing::warn!("libcrypto could not be initialised without its exit handler");
        }
    });
}
