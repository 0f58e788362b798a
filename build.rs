//! Lets the binary find libtorch at run time without LD_LIBRARY_PATH: the torch
//! libraries live in the project's cache (scripts/setup-libtorch.sh), so we record
//! their folder as an rpath.
fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if let Ok(dir) = std::env::var("LIBTORCH") {
        let lib = std::path::Path::new(&dir).join("lib");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
        // The links in LIBTORCH/lib point into the wheel's torch/lib; its own
        // libraries find their siblings (libgomp) through that real folder.
        if let Ok(real) = std::fs::canonicalize(lib.join("libtorch_cpu.so")) {
            if let Some(parent) = real.parent() {
                println!("cargo:rustc-link-arg=-Wl,-rpath,{}", parent.display());
            }
        }
    }
}
