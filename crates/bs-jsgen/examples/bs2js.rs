//! Translates a BlueScript file to JavaScript: `bs2js FILE.bs [OUT.js]` (standard output when no
//! output file is given). Exit status 1 with the errors on standard error when the program does
//! not compile or cannot be translated.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(input) = args.first() else {
        eprintln!("usage: bs2js FILE.bs [OUT.js]");
        return ExitCode::from(2);
    };
    let source = match std::fs::read_to_string(input) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bs2js: cannot read {input}: {e}");
            return ExitCode::from(2);
        }
    };
    let name = std::path::Path::new(input)
        .file_name()
        .map_or_else(|| input.clone(), |n| n.to_string_lossy().into_owned());
    match bs_jsgen::to_javascript(&source, &name) {
        Ok(js) => {
            if let Some(out) = args.get(1) {
                if let Err(e) = std::fs::write(out, js) {
                    eprintln!("bs2js: cannot write {out}: {e}");
                    return ExitCode::from(2);
                }
            } else {
                print!("{js}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
