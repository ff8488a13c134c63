//! `dash-bench run [options]` runs the benchmark; `dash-bench bare --port P`
//! serves the bare ceiling server; `dash-bench jobs [options]` the
//! background-callback rows. See `bench/README.md`.

use std::process::ExitCode;

use dash_bench::runner::Config;
use dash_bench::Error;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bare") => bare(&args[1..]),
        Some("run") => Config::from_args(&args[1..]).and_then(|c| dash_bench::runner::run(&c)),
        Some("jobs") => dash_bench::jobs::JobsConfig::from_args(&args[1..])
            .and_then(|c| dash_bench::jobs::run(&c)),
        _ => Err(Error::Usage(
            "usage: dash-bench run [--smoke] [--secs S] [--warmup S] [--only TEXT] [--out FILE] \
             [--app PATH] [--venv DIR] [--redis-server PATH] [--threads N] [--rust-workers N] [--rounds N] [--startup-runs N]\n       \
             dash-bench jobs [--smoke] [--secs S] [--app PATH] [--venv DIR] [--out FILE]\n       \
             dash-bench bare --port P"
                .into(),
        )),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("dash-bench: {e}");
            ExitCode::from(2)
        }
    }
}

fn bare(args: &[String]) -> Result<bool, Error> {
    let port = match args {
        [flag, p] if flag == "--port" => p
            .parse()
            .map_err(|_| Error::Usage(format!("--port: not a port: {p}")))?,
        _ => return Err(Error::Usage("usage: dash-bench bare --port P".into())),
    };
    dash_bench::bare::serve(port)?;
    Ok(true)
}
