//! The app's background tasks (workers, pruning, the settings watcher) end
//! with the app: each runs until its [`Tasks`] is dropped, which happens when
//! the last clone of the app's state goes, after the server stops. Without
//! this, a test's app left workers polling a dropped database.

use std::future::Future;

use tokio::sync::watch;

#[derive(Debug)]
pub struct Tasks(watch::Sender<()>);

impl Tasks {
    pub fn new() -> Tasks {
        Tasks(watch::channel(()).0)
    }

    /// Runs `task` until it ends or the app goes.
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut gone = self.0.subscribe();
        tokio::spawn(async move {
            tokio::select! {
                () = task => {}
                _ = gone.changed() => {}
            }
        });
    }
}

impl Default for Tasks {
    fn default() -> Self {
        Tasks::new()
    }
}
