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
use crate::serve::{ServeLimits, Stop};
use crate::{Dash, Error};

impl Dash {
    fn debug_enabled(&self) -> bool {
        self.settings
            .debug
            .unwrap_or_else(|| RunOptions::env_flag("DASH_DEBUG").unwrap_or(false))
    }

    /// Checks the app and builds its axum router (all Dash routes, and the
    /// app's own routes and layers: [`Dash::route`], [`Dash::layer`]), for
    /// embedding in a larger axum app or for tests.
    pub fn into_router(self) -> Result<Router, Error> {
        self.build()
            .map(|(app, _, _)| Router::new().fallback_service(app))
    }

    fn build(
        mut self,
    ) -> Result<
        (
            crate::serve::Protected,
            Arc<crate::services::Services>,
            ServeLimits,
        ),
        Error,
    > {
        self.prepare_pages();
        crate::background::register_cancel_callbacks(&mut self.callbacks);
        self.validate()?;
        if let Some(template) = &self.settings.index_string {
            crate::index_template::validate(template)?;
        }
        let limits = self.settings.serve.resolve()?;
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
        let dev_tools = self.settings.dev_tools.resolve(debug);
        let mut page_settings = self.settings.clone();
        page_settings.validation_layout = self.resolved_validation_layout().map(|mut v| {
            // ServerStore markers never reach the page; their ids are learnt.
            self.server_stores.registry.learn_value(&mut v);
            v
        });
        page_settings.inline_scripts = self.callbacks.inline_scripts().to_vec();
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        // One hash for every worker of a supervisor (`workers.rs`).
        let reload_hash = crate::workers::reload_hash().unwrap_or_else(|| format!("{started:x}"));
        let end_id = self.callbacks.has_background();
        let pages = self.pages.any();
        let render_page = {
            let prefixes = prefixes.clone();
            move |assets: &[crate::assets_folder::AssetFile]| {
                index_page::render(&PageInputs {
                    settings: &page_settings,
                    prefixes: &prefixes,
                    assets,
                    dev_tools,
                    end_id,
                    pages,
                })
            }
        };
        let (index_html, hot_reload) = if dev_tools.hot_reload {
            let watcher = crate::hot_reload::HotReload::new(
                self.settings.assets_folder.clone(),
                ignore,
                format!("{}{}/", prefixes.requests, self.settings.assets_url_path),
                reload_hash.clone(),
                render_page,
            );
            (String::new(), Some(Arc::new(watcher)))
        } else {
            let assets = assets_folder::walk(&self.settings.assets_folder, ignore.as_ref());
            (render_page(&assets), None)
        };
        let served_pages = self.served_pages(
            &prefixes,
            hot_reload.is_none().then_some(index_html.as_str()),
        );
        let page_access = served_pages
            .as_ref()
            .and_then(|s| crate::pages::page_access(s, &self.settings.assets_url_path));
        let dependencies = Bytes::from(
            self.callbacks
                .dependencies_json(self.settings.prevent_initial_callbacks)
                .to_string(),
        );
        let layout = self
            .layout
            .clone()
            .ok_or_else(|| Error::InvalidLayout("the app has no layout".into()))?;
        let mut service_settings = self.services.clone();
        if RunOptions::env_flag("DASH_METRICS") == Some(true) {
            service_settings.metrics = true;
        }
        let degraded_ok = service_settings.degraded_start_allowed();
        let services = crate::services::Services::open(service_settings)?;
        let sessions = crate::session::Sessions::load(&services, &prefixes.requests, degraded_ok)?;
        let store_guard =
            crate::store_guard::StoreGuard::for_app(self.settings.store_warning_bytes, debug)?
                .map(Arc::new);
        if let Some(guard) = &store_guard {
            if let Ok(bytes) = layout.render(&crate::layout::LayoutContext::default()) {
                guard.learn(&bytes);
            }
        }
        let server_stores = Arc::new(crate::server_store::ServerStores::new(
            self.server_stores.registry.clone(),
            &self.server_stores.settings,
        )?);
        if let Ok(cache) = services.cache() {
            server_stores.share_through(cache.backend().clone());
        }
        let custom_routes = std::mem::take(&mut self.custom_routes);
        let api_paths = self.api_endpoint_paths(&prefixes.routes);
        let state = Arc::new(AppState {
            server_stores,
            served_pages,
            store_guard,
            services: services.clone(),
            registry: Arc::new(self.callbacks),
            layout,
            index_html,
            hot_reload,
            dependencies,
            reload_hash,
            debug,
            assets_folder: self.settings.assets_folder.clone(),
            max_body_bytes: limits.max_body_bytes,
        });
        let router = routes::router(
            state,
            &prefixes.routes,
            &self.settings.assets_url_path,
            self.settings.compress,
        );
        // The login layer guards Dash's routes and the app's own; the
        // session middleware and the app's layers sit outside it.
        let auth = self.auth.take();
        let guard = |core: Router| match auth {
            Some(auth) => crate::auth::wrap(
                auth,
                core,
                &sessions,
                &services,
                &prefixes.routes,
                page_access,
            ),
            None => core,
        };
        let (router, sessions) = crate::custom_routes::assemble(
            custom_routes,
            router,
            crate::custom_routes::DashPaths {
                prefix: &prefixes.routes,
                assets_url_path: &self.settings.assets_url_path,
                api_paths,
            },
            services.clone(),
            sessions.clone(),
            guard,
        );
        let router = crate::serve::protect(router, &limits, sessions);
        Ok((router, services, limits))
    }

    /// Serves the app on a bound listener until SIGINT or SIGTERM, then
    /// lets the requests in flight finish (at most the graceful timeout).
    /// Each request carries the peer address as
    /// `axum::extract::ConnectInfo<std::net::SocketAddr>`.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> Result<(), Error> {
        let stop = Stop::install()?;
        self.serve_until(listener, stop).await
    }

    async fn serve_until(self, listener: tokio::net::TcpListener, stop: Stop) -> Result<(), Error> {
        let debug_on = self.debug_enabled();
        let (router, services, limits) = self.build()?;
        // Said once the app is built: a cache that cannot be used stops the
        // start before anything claims to be running.
        let addr = listener.local_addr()?;
        match crate::workers::worker_id() {
            Some(id) => tracing::info!(
                worker = id,
                pid = std::process::id(),
                "worker serving http://{addr}/"
            ),
            None => tracing::info!("Dash is running on http://{addr}/ (debug: {debug_on})"),
        }
        let purge = tokio::spawn(maintain_cache(services));
        let result = crate::serve::serve_connections(listener, router, &limits, stop).await;
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
        self.prepare_pages();
        self.validate()?;
        let limits = self.settings.serve.resolve()?;
        let addr = resolve(&options.host, options.port)?;
        let worker = crate::workers::worker_id();
        if worker.is_some() && !crate::workers::exit_with_supervisor() {
            return Ok(());
        }
        crate::serve::raise_descriptor_limit();
        if options.workers > 1 && worker.is_none() {
            let url = self.services.resolved_url();
            if url.starts_with("memory://") {
                tracing::warn!(
                    "DASH_CACHE_URL is memory:// with {} workers: each worker has its own cache, nothing is shared",
                    options.workers
                );
            }
            // One clear error, before any worker starts, if the cache
            // cannot be used.
            drop(crate::services::Services::open(self.services.clone())?);
            return crate::workers::supervise(addr, options.workers, limits.graceful_timeout);
        }
        crate::allocator::return_large_buffers();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let result = runtime.block_on(async move {
            // Before the port is bound: a stop from now on is graceful.
            let stop = Stop::install()?;
            if worker.is_some() {
                crate::workers::watch_supervisor(stop.clone());
            }
            let std_listener =
                crate::workers::bind(addr, worker.is_some()).map_err(|source| Error::Bind {
                    addr: addr.to_string(),
                    source,
                })?;
            let listener = tokio::net::TcpListener::from_std(std_listener)?;
            self.serve_until(listener, stop).await
        });
        // Callbacks still running on blocking threads after the drain
        // deadline end with the process.
        runtime.shutdown_timeout(std::time::Duration::from_millis(100));
        result
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
/// (when metrics are on) so any worker can report totals, removes expired
/// entries (idle sessions, TTLs) once a minute, and while the backend is
/// unreachable asks it again (with the cache's back-off) so that recovery is
/// seen without traffic.
async fn maintain_cache(services: Arc<crate::services::Services>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    let mut seconds = 0u64;
    loop {
        tick.tick().await;
        seconds += 1;
        let cache = services.opened_cache().clone();
        let jobs = services.clone();
        let publish = services.settings().metrics;
        let purge = seconds.is_multiple_of(60);
        let probe = !cache.health().reachable;
        if !publish && !purge && !probe {
            continue;
        }
        let done = tokio::task::spawn_blocking(move || {
            if probe && !cache.check_health().reachable {
                return Ok(());
            }
            if publish {
                cache.cluster_metrics()?;
                jobs.jobs().cluster_metrics()?;
            }
            if purge {
                cache.purge_expired()?;
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
