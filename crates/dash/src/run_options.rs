//! Command-line flags and environment variables of `Dash::run`.

use crate::Error;

/// Where and how to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunOptions {
    pub host: String,
    pub port: u16,
    pub debug: Option<bool>,
    pub workers: usize,
}

impl RunOptions {
    /// Reads `HOST`, `PORT`, `DASH_DEBUG`, then the flags `--host`,
    /// `--port`, `--debug` (flags win).
    pub(crate) fn from_env_and_args(args: impl IntoIterator<Item = String>) -> Result<Self, Error> {
        let mut options = RunOptions {
            host: std::env::var("HOST")
                .ok()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "127.0.0.1".into()),
            port: match std::env::var("PORT") {
                Ok(p) if !p.is_empty() => parse_port(&p, "PORT")?,
                _ => 8050,
            },
            debug: Self::env_flag("DASH_DEBUG"),
            workers: match std::env::var("DASH_WORKERS") {
                Ok(w) if !w.is_empty() => parse_workers(&w, "DASH_WORKERS")?,
                _ => 1,
            },
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                None => (arg.clone(), None),
            };
            let mut value = |flag: &str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| Error::InvalidSetting {
                        name: flag.into(),
                        reason: "needs a value".into(),
                    })
            };
            match name.as_str() {
                "--host" => options.host = value("--host")?,
                "--port" => options.port = parse_port(&value("--port")?, "--port")?,
                "--workers" => options.workers = parse_workers(&value("--workers")?, "--workers")?,
                "--debug" => options.debug = Some(true),
                "--no-debug" => options.debug = Some(false),
                _ => {}
            }
        }
        Ok(options)
    }

    /// A boolean environment variable (`1`, `true`, `yes`, `on`).
    pub(crate) fn env_flag(name: &str) -> Option<bool> {
        std::env::var(name).ok().map(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        })
    }
}

fn parse_workers(text: &str, name: &str) -> Result<usize, Error> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=256).contains(&n) => Ok(n),
        _ => Err(Error::InvalidSetting {
            name: name.into(),
            reason: format!("{text:?} is not a number of workers between 1 and 256"),
        }),
    }
}

fn parse_port(text: &str, name: &str) -> Result<u16, Error> {
    text.trim().parse().map_err(|_| Error::InvalidSetting {
        name: name.into(),
        reason: format!("{text:?} is not a port number"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_defaults() {
        let o = RunOptions::from_env_and_args(
            ["--port", "9000", "--host=0.0.0.0", "--debug"].map(String::from),
        )
        .unwrap();
        assert_eq!(o.port, 9000);
        assert_eq!(o.host, "0.0.0.0");
        assert_eq!(o.debug, Some(true));
        assert_eq!(o.workers, 1);
        let o = RunOptions::from_env_and_args(["--workers", "3"].map(String::from)).unwrap();
        assert_eq!(o.workers, 3);
        assert!(RunOptions::from_env_and_args(["--workers", "0"].map(String::from)).is_err());
        assert!(RunOptions::from_env_and_args(["--port", "x"].map(String::from)).is_err());
    }
}
