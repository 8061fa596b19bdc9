//! The notebook file: Markdown in which every ```` ```bs ```` code block is a cell, in order.
//! Text outside the code blocks is kept as it was before the first cell is written back (a
//! heading, notes), so that a notebook diffs well and reads as a document.

/// The cells of a notebook and the text before them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    /// Markdown before the first cell (a title, notes).
    pub preface: String,
    pub cells: Vec<String>,
}

const FENCE: &str = "```";

impl Document {
    /// Reads a notebook. Code blocks tagged `bs`, `bscript`, `ts` or `typescript` are cells;
    /// other text is kept only before the first cell.
    pub fn parse(text: &str) -> Document {
        let mut doc = Document::default();
        let mut current: Option<String> = None;
        let mut seen_cell = false;
        for line in text.lines() {
            match &mut current {
                Some(cell) => {
                    if line.trim_end() == FENCE {
                        doc.cells.push(std::mem::take(cell));
                        current = None;
                    } else {
                        if !cell.is_empty() {
                            cell.push('\n');
                        }
                        cell.push_str(line);
                    }
                }
                None => {
                    let tag = line.trim_end().strip_prefix(FENCE).map(str::trim);
                    if matches!(tag, Some("bs" | "bscript" | "ts" | "typescript")) {
                        current = Some(String::new());
                        seen_cell = true;
                    } else if !seen_cell {
                        doc.preface.push_str(line);
                        doc.preface.push('\n');
                    }
                }
            }
        }
        // An unterminated block still counts as a cell.
        if let Some(cell) = current {
            doc.cells.push(cell);
        }
        // The blank lines before the first cell are the layout's, not the preface's.
        let preface = doc.preface.trim_end();
        doc.preface = if preface.is_empty() {
            String::new()
        } else {
            format!("{preface}\n")
        };
        doc
    }

    /// Writes the notebook as Markdown: the preface, then one code block per cell.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let preface = self.preface.trim_end();
        if preface.is_empty() {
            out.push_str("# BlueScript notebook\n\n");
        } else {
            out.push_str(preface);
            out.push_str("\n\n");
        }
        for (i, cell) in self.cells.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str("```bs\n");
            let cell = cell.trim_end_matches('\n');
            out.push_str(cell);
            if !cell.is_empty() {
                out.push('\n');
            }
            out.push_str("```\n");
        }
        out
    }

    /// The cells as one program, for a project's entry file.
    pub fn program(&self) -> String {
        let mut out = String::new();
        for (i, cell) in self.cells.iter().enumerate() {
            out.push_str(&format!("// cell {}\n", i + 1));
            out.push_str(cell.trim_end_matches('\n'));
            out.push_str("\n\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Document;

    #[test]
    fn cells_survive_a_round_trip() {
        let doc = Document {
            preface: "# Blink\n\nNotes.\n".to_string(),
            cells: vec![
                "let x = 1".to_string(),
                "function f() {\n  print(x)\n}".to_string(),
                String::new(),
            ],
        };
        let text = doc.render();
        assert!(text.starts_with("# Blink\n\nNotes.\n\n```bs\nlet x = 1\n```\n"));
        assert_eq!(Document::parse(&text), doc);
    }

    #[test]
    fn other_code_blocks_are_not_cells() {
        let doc = Document::parse("# T\n```sh\nls\n```\n```ts\nprint(1)\n```\n");
        assert_eq!(doc.cells, vec!["print(1)".to_string()]);
        assert_eq!(doc.preface, "# T\n```sh\nls\n```\n");
    }
}
