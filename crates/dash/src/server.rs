//! Turning a [`Dash`] app into a router and serving it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::Router;

use crate::assets_folder;
use crate::index_page::{self, PageInputs};
use crate::routes::{self, AppState};
use crate::run_options::RunOptions;
use crate::{Dash, Error};

impl Dash {
    fn debug_enabled(&self) -> bool {
        self.settings
            .debug
            .unwrap_or_else(|| RunOptions::env_flag("DASH_DEBUG").unwrap_or(false))
    }

    /// Checks the app and builds its axum router (all Dash routes), for
    /// embedding in a larger axum app or for tests.
    pub fn into_router(self) -> Result<Router, Error> {
        self.validate()?;
        let debug = self.debug_enabled();
        let prefixes = self.settings.prefixes()?;
        let ignore = match &self.settings.assets_ignore {
            Some(p) => Some(
                regex_lite::Regex::new(p).map_err(|e| Error::InvalidSetting {
                    name: "assets_ignore".into(),
                    reason: e.to_string(),
                })?,
            ),
            None => None,
        };
        let assets = assets_folder::walk(&self.settings.assets_folder, ignore.as_ref());
        let index_html = index_page::render(&PageInputs {
            settings: &self.settings,
            prefixes: &prefixes,
            assets: &assets,
            debug,
            hot_reload: debug,
        });
        let dependencies = Bytes::from(self.callbacks.dependencies_json().to_string());
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let layout = self
            .layout
            .clone()
            .ok_or_else(|| Error::InvalidLayout("the app has no layout".into()))?;
        let state = Arc::new(AppState {
            registry: Arc::new(self.callbacks),
            layout,
            index_html,
            dependencies,
            reload_hash: format!("{started:x}"),
            debug,
            assets_folder: self.settings.assets_folder.clone(),
            max_body_bytes: self.settings.max_body_bytes,
        });
        Ok(routes::router(
            state,
            &prefixes.routes,
            &self.settings.assets_url_path,
            self.settings.compress,
        ))
    }

    /// Serves the app on a bound listener until SIGINT or SIGTERM.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> Result<(), Error> {
        let router = self.into_router()?;
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        Ok(())
    }

    /// Runs the app: reads `--host`, `--port`, `--debug` (or `HOST`, `PORT`,
    /// `DASH_DEBUG`), logs through `tracing`, serves until SIGINT/SIGTERM.
    pub fn run(mut self) -> Result<(), Error> {
        let options = RunOptions::from_env_and_args(std::env::args().skip(1))?;
        if let Some(d) = options.debug {
            self.settings.debug = Some(d);
        }
        init_tracing();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async move {
            let addr = format!("{}:{}", options.host, options.port);
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .map_err(|source| Error::Bind {
                    addr: addr.clone(),
                    source,
                })?;
            let local: Option<SocketAddr> = listener.local_addr().ok();
            let debug_on = self.debug_enabled();
            tracing::info!(
                "Dash is running on http://{}/ (debug: {debug_on})",
                local.map(|a| a.to_string()).unwrap_or(addr)
            );
            self.serve(listener).await
        })
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
