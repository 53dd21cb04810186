use std::fmt;

use zeroize::Zeroize;

/// A secret in memory. It prints as `<redacted>` and has no `Serialize`, so it cannot reach a log,
/// an error message or the webview by accident; `expose` is the one way to read it. Its memory is
/// overwritten with zeros when it is dropped.
#[derive(Clone)]
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: Zeroize> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_its_value() {
        let s = Sensitive::new("hunter2".to_owned());
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn a_secret_is_zeroed_when_dropped() {
        let mut key = std::mem::ManuallyDrop::new(Sensitive::new([7u8; 32]));
        // SAFETY: dropped in place once; the bytes stay readable in the ManuallyDrop afterwards.
        unsafe { std::mem::ManuallyDrop::drop(&mut key) };
        assert_eq!(key.0, [0u8; 32]);
    }
}
