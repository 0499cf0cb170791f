//! The `corridor` command line: the only code that knows about arguments, terminals, progress
//! bars and output folders.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
