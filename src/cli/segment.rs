pub fn run(_a: Args) -> anyhow::Result<i32> { Ok(0) }
#[derive(clap::Args, Debug)]
pub struct Args {}
