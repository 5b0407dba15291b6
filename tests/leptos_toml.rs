//! Leptos.toml (runtime site options) and Cargo.toml's cargo-leptos table
//! (build settings) must agree where both name the same thing.

#[test]
fn leptos_toml_matches_the_build_settings() {
    let runtime = leptos::config::get_configuration(Some("Leptos.toml")).expect("Leptos.toml parses").leptos_options;
    let cargo = std::fs::read_to_string("Cargo.toml").unwrap();
    let build = leptos::config::get_config_from_str(&cargo).expect("Cargo.toml has [package.metadata.leptos]");
    assert_eq!(runtime.output_name, build.output_name);
    assert_eq!(runtime.site_root, build.site_root);
    assert_eq!(runtime.site_pkg_dir, build.site_pkg_dir);
    assert_eq!(runtime.reload_port, build.reload_port);
    assert_eq!(runtime.hash_files, build.hash_files);
}
