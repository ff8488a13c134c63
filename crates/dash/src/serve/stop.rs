//! The stop request: SIGTERM or SIGINT (or the supervisor's death, for a
//! worker). The handlers are installed when a [`Stop`] is made, before
//! the process starts anything it would have to stop; a second signal
//! asks to stop at once, without draining.

use tokio::sync::watch;

/// How many stop requests arrived; cloned by everything that waits.
#[derive(Clone)]
pub(crate) struct Stop {
    count: watch::Receiver<u32>,
    sender: std::sync::Arc<watch::Sender<u32>>,
}

impl Stop {
    /// Installs the SIGTERM and SIGINT handlers (inside a tokio runtime).
    pub(crate) fn install() -> std::io::Result<Stop> {
        let (sender, count) = watch::channel(0u32);
        let sender = std::sync::Arc::new(sender);
        let stop = Stop { count, sender };
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            // Registered here, synchronously: from now on the signals no
            // longer kill the process.
            let mut term = signal(SignalKind::terminate())?;
            let mut int = signal(SignalKind::interrupt())?;
            let on_signal = stop.clone();
            tokio::spawn(async move {
                loop {
                    let name = tokio::select! {
                        _ = term.recv() => "SIGTERM",
                        _ = int.recv() => "SIGINT",
                    };
                    on_signal.request(name);
                }
            });
        }
        #[cfg(not(unix))]
        {
            let on_signal = stop.clone();
            tokio::spawn(async move {
                while tokio::signal::ctrl_c().await.is_ok() {
                    on_signal.request("Ctrl-C");
                }
            });
        }
        Ok(stop)
    }

    /// Asks to stop (a second call: at once); `why` is logged.
    pub(crate) fn request(&self, why: &str) {
        let mut n = 0;
        self.sender.send_modify(|c| {
            *c += 1;
            n = *c;
        });
        if n == 1 {
            tracing::info!("{why}: stopping after the requests in flight");
        } else {
            tracing::info!("{why} again: stopping now");
        }
    }

    /// Resolves when a stop was asked for.
    pub(crate) async fn requested(&self) {
        self.at_least(1).await;
    }

    /// Resolves when a second stop was asked for.
    pub(crate) async fn forced(&self) {
        self.at_least(2).await;
    }

    async fn at_least(&self, n: u32) {
        let mut count = self.count.clone();
        // The sender lives in `self`, so the channel cannot close.
        let _ = count.wait_for(|c| *c >= n).await;
    }
}
