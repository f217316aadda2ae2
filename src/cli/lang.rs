//! Which language the command line speaks, and its help in that language.
//!
//! Chosen once per process, before the arguments are parsed (the help text depends on it):
//! `--lang en|zh-CN` anywhere on the command line, else `LC_ALL` / `LC_MESSAGES` / `LANG`
//! (see [`Lang::from_env`]). `--lang both` is for evidence reports (English and Chinese in one
//! report); the command line's own lines then follow the environment.

use std::ffi::OsString;
use std::sync::OnceLock;

use pairproof::i18n::{has_in, t, Lang};

/// `--lang`'s values.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum LangArg {
    En,
    #[value(name = "zh-CN", alias = "zh", alias = "zh_CN")]
    ZhCn,
    /// English and Chinese in one evidence report.
    Both,
}

static CHOSEN: OnceLock<(Lang, Option<LangArg>)> = OnceLock::new();

/// The `--lang` value on a command line (`--lang X` or `--lang=X`; the last one wins, as clap
/// reads it). `None` when absent or not one of the values (clap then reports the bad value).
fn arg_value(args: &[OsString]) -> Option<LangArg> {
    use clap::ValueEnum;
    let mut found = None;
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        let v = match a.strip_prefix("--lang") {
            Some("") => it.next().map(|v| v.to_string()),
            Some(rest) => rest.strip_prefix('=').map(str::to_string),
            None => None,
        };
        if let Some(v) = v {
            found = LangArg::from_str(&v, true).ok().or(found);
        }
    }
    found
}

/// Decide the language for this process from its arguments and environment.
pub fn choose(args: &[OsString]) -> Lang {
    let arg = arg_value(args);
    let lang = match arg {
        Some(LangArg::En) => Lang::En,
        Some(LangArg::ZhCn) => Lang::ZhCn,
        Some(LangArg::Both) | None => Lang::from_env(),
    };
    CHOSEN.get_or_init(|| (lang, arg)).0
}

/// The language of this process's lines (English before [`choose`] ran, e.g. in unit tests).
pub fn get() -> Lang {
    CHOSEN.get().map(|c| c.0).unwrap_or_default()
}

/// The language of an evidence report: `--lang` when given (`both` included), else the
/// process's language.
pub fn report_lang() -> pairproof::evidence::Lang {
    use pairproof::evidence::Lang as R;
    match CHOSEN.get().and_then(|c| c.1) {
        Some(LangArg::Both) => R::Both,
        _ => match get() {
            Lang::En => R::En,
            Lang::ZhCn => R::ZhCn,
        },
    }
}

/// The help of every command and argument in `lang`: each `about` and argument help with a
/// `cli.help.<command>[.<arg>]` entry in the catalogue is replaced, and clap's own headings
/// and flags are worded. English keeps the doc comments clap was built from.
pub fn localise(cmd: clap::Command, lang: Lang) -> clap::Command {
    if lang == Lang::En {
        return cmd;
    }
    let key = |k: &str| format!("cli.help.{k}");
    let word = |k: &str| t(lang, &key(k), &[]);
    let mut cmd = words_for(cmd, "", lang);
    cmd = cmd
        .about(word("about"))
        .after_help(word("after"))
        .help_template(template(lang));
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |sub| {
            let inner: Vec<String> = sub
                .get_subcommands()
                .map(|s| s.get_name().to_string())
                .collect();
            let mut sub = words_for(sub, &name, lang).help_template(template(lang));
            for n in inner {
                let path = format!("{name}.{n}");
                sub = sub.mut_subcommand(&n, |s| {
                    words_for(s, &path, lang).help_template(template(lang))
                });
            }
            sub
        });
    }
    cmd
}

/// One command's about, its arguments' help and clap's built-in flags, from the catalogue.
fn words_for(mut cmd: clap::Command, path: &str, lang: Lang) -> clap::Command {
    use clap::{Arg, ArgAction};
    let key = |k: &str| {
        if path.is_empty() {
            format!("cli.help.{k}")
        } else {
            format!("cli.help.{path}.{k}")
        }
    };
    if !path.is_empty() && has_in(lang, &format!("cli.help.{path}")) {
        cmd = cmd.about(t(lang, &format!("cli.help.{path}"), &[]));
    }
    if !path.is_empty() && has_in(lang, &key("after")) {
        cmd = cmd.after_help(t(lang, &key("after"), &[]));
    }
    let options = t(lang, "cli.help.options", &[]);
    let arguments = t(lang, "cli.help.arguments", &[]);
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for (order, id) in ids.into_iter().enumerate() {
        // This command's own words for the argument, else the words every command shares.
        let words = [key(&id), format!("cli.help.arg.{id}")]
            .into_iter()
            .find(|k| has_in(lang, k))
            .map(|k| t(lang, &k, &[]));
        let (options, arguments) = (options.clone(), arguments.clone());
        cmd = cmd.mut_arg(&id, |a| {
            let heading = if a.is_positional() {
                arguments
            } else {
                options
            };
            // The order stays the declared one (a re-worded argument would otherwise move).
            let a = a.help_heading(heading).display_order(order);
            let Some(w) = words else { return a };
            // clap's "[default: …] [possible values: …]" worded here instead.
            let notes = value_notes(&a, lang);
            a.help(format!("{w}{notes}"))
                .hide_default_value(true)
                .hide_possible_values(true)
        });
    }
    // clap's own -h/--help (and -V/--version) cannot be re-worded, only replaced by flags
    // that do the same.
    cmd = cmd.disable_help_flag(true).arg(
        Arg::new("help")
            .short('h')
            .long("help")
            .action(ArgAction::Help)
            .help(t(lang, "cli.help.flag.help", &[]))
            .help_heading(options.clone()),
    );
    if path.is_empty() {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(t(lang, "cli.help.flag.version", &[]))
                .help_heading(options),
        );
    }
    cmd.subcommand_help_heading(t(lang, "cli.help.commands", &[]))
}

/// " [默认：text] [可选：text、json]" for an argument with a default or a closed set of values.
fn value_notes(a: &clap::Arg, lang: Lang) -> String {
    let takes_values = a.get_action().takes_values();
    let mut notes = String::new();
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().to_string())
        .collect();
    if takes_values && !defaults.is_empty() {
        let list = defaults.join(", ");
        notes += &pairproof::tr!(lang, "cli.help.default", list = list);
    }
    let values: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if takes_values && !values.is_empty() {
        let list = values.join(&t(lang, "list.comma", &[]));
        notes += &pairproof::tr!(lang, "cli.help.values", list = list);
    }
    notes
}

fn template(lang: Lang) -> String {
    format!(
        "{{about-with-newline}}\n{}{{usage}}\n\n{{all-args}}{{after-help}}",
        t(lang, "cli.help.usage", &[])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_lang_argument_is_found_before_parsing() {
        assert_eq!(
            arg_value(&args(&["pairproof", "check", "--lang", "zh-CN"])),
            Some(LangArg::ZhCn)
        );
        assert_eq!(
            arg_value(&args(&["pairproof", "--lang=en", "lint", "a.jpg"])),
            Some(LangArg::En)
        );
        assert_eq!(
            arg_value(&args(&["pairproof", "--lang", "zh", "--lang", "both"])),
            Some(LangArg::Both)
        );
        assert_eq!(
            arg_value(&args(&["pairproof", "check", "--", "--lang", "zh-CN"])),
            None
        );
        assert_eq!(arg_value(&args(&["pairproof", "--lang", "fr"])), None);
        assert_eq!(arg_value(&args(&["pairproof", "--language", "zh"])), None);
    }
}
