//! Writing run folders.
