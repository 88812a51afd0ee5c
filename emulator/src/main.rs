fn main() {
    std::process::exit(arm64ec_emu::cli::main());
}
