//! The REPL's pin commands, for programs that use the bundled `gpio` package: `.pins` shows the
//! mode and level of every pin that was set up (on qemu-mps2-an385 also the LED register), and
//! `.pin N 0|1` drives input pin N of the host device's simulated bank, which queues the pin's
//! `on` callback when the change is an edge it asked for (it runs when the device is idle).
//!
//! Both run a small unit of their own on the device (the user's inputs do not see it: it
//! declares nothing): it imports `gpio` (linking the package's C if the program had not
//! imported it yet) and calls the C functions of the package's port, and prints numbers that
//! are read back here.

use bs_session::{ModuleRoots, Outcome, Session};

use crate::{Cli, render};

/// The name of the host device's target: the only one whose pins are driven from the host.
const HOST: &str = "host";

/// Runs `source` as a unit of its own named `name`; what it prints is returned (its errors go
/// to standard error, rendered as for an input).
fn run_hidden(
    cli: &Cli,
    session: &mut Session,
    roots: &ModuleRoots,
    name: &str,
    source: &str,
) -> Option<String> {
    let mut printed = Vec::new();
    let (outcome, _) = session.eval_program(name, source, None, roots, &mut |stream, bytes| {
        if stream == 0 {
            printed.extend_from_slice(bytes);
        } else {
            crate::write_output(stream, bytes);
        }
    });
    if !matches!(outcome, Outcome::Ok) {
        let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
        eprint!(
            "{}",
            render::outcome(name, source, &outcome, cli.error_format, color)
        );
        return None;
    }
    Some(String::from_utf8_lossy(&printed).into_owned())
}

/// The unit of `.pins`: one line `PIN MODE LEVEL` per pin that was set up, then, on
/// qemu-mps2-an385, `LED REGISTER`.
fn show_source(target: &str) -> String {
    let mut s = String::from(
        "import 'gpio'\n\
         {\n\
         let n = 0; let i = 0; let m = 0; let l = 0\n\
         code`extern int32_t gpio_port_count(void); ${n} = gpio_port_count();`\n\
         while (i < n) {\n\
         code`extern int32_t gpio_port_mode(int32_t); extern int32_t gpio_port_level(int32_t); \
         ${m} = gpio_port_mode(${i}); ${l} = gpio_port_level(${i});`\n\
         if (m >= 0) print(\"\" + i + \" \" + m + \" \" + l)\n\
         i++\n\
         }\n",
    );
    if target == "qemu-mps2-an385" {
        s.push_str(
            "let r = 0\n\
             code`extern int32_t gpio_qemu_led_register(void); ${r} = gpio_qemu_led_register();`\n\
             print(\"LED \" + r)\n",
        );
    }
    s.push_str("}\n");
    s
}

/// `.pins`.
pub fn show(cli: &Cli, session: &mut Session, roots: &ModuleRoots) {
    let source = show_source(session.target());
    let Some(printed) = run_hidden(cli, session, roots, "<.pins>", &source) else {
        return;
    };
    print!("{}", pins_table(&printed));
}

/// The table `.pins` prints, from the numbers its unit printed.
fn pins_table(printed: &str) -> String {
    let mut rows = String::new();
    let mut register = None;
    for line in printed.lines() {
        let words: Vec<i64> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        match (line.starts_with("LED "), words.as_slice()) {
            (true, _) => register = line[4..].trim().parse::<i64>().ok(),
            (false, [pin, mode, level]) => {
                let mode = if *mode == 0 { "input" } else { "output" };
                rows.push_str(&format!("{pin:>4}  {mode:<7} {level}\n"));
            }
            _ => {}
        }
    }
    let mut text = if rows.is_empty() {
        "no pin is set up (new Pin(N, INPUT) or new Pin(N, OUTPUT) sets one up)\n".to_string()
    } else {
        format!(" pin  mode    level\n{rows}")
    };
    if let Some(r) = register {
        text.push_str(&format!("LED register (0x40028000): 0x{:08x}\n", r as u32));
    }
    text
}

/// `.pin N 0|1` (`args` is what follows `.pin`).
pub fn drive(cli: &Cli, session: &mut Session, roots: &ModuleRoots, args: &str) {
    let usage = "usage: .pin N 0|1 (drives input pin N of the host device low or high)";
    let words: Vec<&str> = args.split_whitespace().collect();
    let (pin, level) = match words.as_slice() {
        [pin, level] => match (pin.parse::<i32>(), level.parse::<i32>()) {
            (Ok(pin), Ok(level @ (0 | 1))) => (pin, level),
            _ => {
                eprintln!("{usage}");
                return;
            }
        },
        _ => {
            eprintln!("{usage}");
            return;
        }
    };
    if session.target() != HOST {
        eprintln!(
            ".pin drives the simulated pins of the host device; the pins of {} are its own",
            session.target()
        );
        return;
    }
    let source = format!(
        "import 'gpio'\n\
         {{\n\
         let r = 0\n\
         code`extern int32_t gpio_host_drive(int32_t, int32_t); ${{r}} = gpio_host_drive({pin}, {level});`\n\
         print(r)\n\
         }}\n"
    );
    let Some(printed) = run_hidden(cli, session, roots, "<.pin>", &source) else {
        return;
    };
    match printed.trim() {
        // The device ran the callbacks the change queued before it answers again: show what
        // they printed, and their errors, now.
        "0" => {
            let poll = session.poll_events(&mut crate::write_output);
            let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
            for outcome in &poll.errors {
                eprint!(
                    "{}",
                    render::outcome("", "", outcome, cli.error_format, color)
                );
            }
        }
        "1" => eprintln!("pin {pin} is not set up as an input (new Pin({pin}, INPUT) sets it up)"),
        "2" => eprintln!(
            "the device's event queue is full: the callback for this change of pin {pin} is lost"
        ),
        other => eprintln!("unexpected answer from the device: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::pins_table;

    #[test]
    fn the_table_shows_set_up_pins_and_the_register() {
        assert_eq!(
            pins_table("3 0 1\n13 1 0\n"),
            " pin  mode    level\n   3  input   1\n  13  output  0\n"
        );
        assert!(pins_table("").starts_with("no pin is set up"));
        assert!(pins_table("1 1 1\nLED 2\n").ends_with("LED register (0x40028000): 0x00000002\n"));
    }
}
