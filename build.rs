//! Lets the binary find libtorch at run time without LD_LIBRARY_PATH: the torch
//! libraries live in the project's cache (scripts/setup-libtorch.sh), so we record
//! their folder as an rpath.
//!
//! The rpath must be the wheel's real `torch/lib`, not the folder of links in LIBTORCH:
//! libtorch_cpu finds its CUDA runtime neighbours through `$ORIGIN/../../nvidia`,
//! and `$ORIGIN` is the folder the library was loaded from.
fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    let Ok(dir) = std::env::var("LIBTORCH") else { return };
    let lib = std::path::Path::new(&dir).join("lib");
    let real = std::fs::canonicalize(lib.join("libtorch_cpu.so"))
        .ok()
        .and_then(|p| p.parent().map(|p| p.to_path_buf()))
        .unwrap_or(lib);
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", real.display());
}
