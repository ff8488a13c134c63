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
        self.build().map(|(router, _)| router)
    }

    fn build(self) -> Result<(Router, Arc<crate::services::Services>), Error> {
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
        let mut service_settings = self.services.clone();
        if RunOptions::env_flag("DASH_METRICS") == Some(true) {
            service_settings.metrics = true;
        }
        let services = crate::services::Services::new(service_settings);
        services.check_url().map_err(|e| Error::InvalidSetting {
            name: "DASH_CACHE_URL".into(),
            reason: e.to_string(),
        })?;
        let store_guard =
            crate::store_guard::StoreGuard::for_app(self.settings.store_warning_bytes, debug)?
                .map(Arc::new);
        if let Some(guard) = &store_guard {
            if let Ok(bytes) = layout.render(&crate::layout::LayoutContext::default()) {
                guard.learn(&bytes);
            }
        }
        let state = Arc::new(AppState {
            store_guard,
            services: services.clone(),
            cookie_path: prefixes.requests.clone(),
            registry: Arc::new(self.callbacks),
            layout,
            index_html,
            dependencies,
            reload_hash: format!("{started:x}"),
            debug,
            assets_folder: self.settings.assets_folder.clone(),
            max_body_bytes: self.settings.max_body_bytes,
        });
        let router = routes::router(
            state,
            &prefixes.routes,
            &self.settings.assets_url_path,
            self.settings.compress,
        );
        Ok((router, services))
    }

    /// Serves the app on a bound listener until SIGINT or SIGTERM.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> Result<(), Error> {
        let (router, services) = self.build()?;
        let purge = tokio::spawn(maintain_cache(services));
        // Answers are written whole: send them without waiting for ACKs.
        let listener = axum::serve::ListenerExt::tap_io(listener, |stream| {
            let _ = stream.set_nodelay(true);
        });
        let result = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown_signal())
            .await;
        purge.abort();
        result?;
        Ok(())
    }

    /// Runs the app: reads `--host`, `--port`, `--debug`, `--workers` (or
    /// `HOST`, `PORT`, `DASH_DEBUG`, `DASH_WORKERS`), logs through
    /// `tracing`, serves until SIGINT/SIGTERM. With more than one worker,
    /// this process supervises that many worker processes on the same port.
    pub fn run(mut self) -> Result<(), Error> {
        let options = RunOptions::from_env_and_args(std::env::args().skip(1))?;
        if let Some(d) = options.debug {
            self.settings.debug = Some(d);
        }
        init_tracing();
        self.validate()?;
        let addr = resolve(&options.host, options.port)?;
        let worker = crate::workers::worker_id();
        if options.workers > 1 && worker.is_none() {
            let url = self.services.resolved_url();
            if url.starts_with("memory://") {
                tracing::warn!(
                    "DASH_CACHE_URL is memory:// with {} workers: each worker has its own cache, nothing is shared",
                    options.workers
                );
            }
            return crate::workers::supervise(addr, options.workers);
        }
        crate::allocator::return_large_buffers();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async move {
            let std_listener =
                crate::workers::bind(addr, worker.is_some()).map_err(|source| Error::Bind {
                    addr: addr.to_string(),
                    source,
                })?;
            let listener = tokio::net::TcpListener::from_std(std_listener)?;
            let debug_on = self.debug_enabled();
            match worker {
                Some(id) => tracing::info!(
                    worker = id,
                    pid = std::process::id(),
                    "worker serving http://{addr}/"
                ),
                None => tracing::info!("Dash is running on http://{addr}/ (debug: {debug_on})"),
            }
            self.serve(listener).await
        })
    }
}

fn resolve(host: &str, port: u16) -> Result<SocketAddr, Error> {
    use std::net::ToSocketAddrs;
    (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| Error::InvalidSetting {
            name: "HOST".into(),
            reason: format!("cannot resolve {host:?}"),
        })
}

/// Keeps the cache tidy: publishes this process's metrics every second
/// (when metrics are on) so any worker can report totals, and removes
/// expired entries (idle sessions, TTLs) once a minute.
async fn maintain_cache(services: Arc<crate::services::Services>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    let mut seconds = 0u64;
    loop {
        tick.tick().await;
        seconds += 1;
        let Some(cache) = services.opened_cache().cloned() else {
            continue;
        };
        let publish = services.settings().metrics;
        let purge = seconds.is_multiple_of(60);
        if !publish && !purge {
            continue;
        }
        let done = tokio::task::spawn_blocking(move || {
            if publish {
                cache.cluster_metrics()?;
            }
            if purge {
                cache.backend().purge_expired()?;
            }
            Ok::<(), dash_cache::CacheError>(())
        })
        .await;
        if let Ok(Err(e)) = done {
            tracing::debug!(error = %e, "cache maintenance failed");
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

pub(crate) async fn shutdown_signal() {
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
