//! The server's background threads: where the work that costs more than one signature check
//! runs (the diagnosis of a rejection, the verification of a large body or of an RSA
//! signature), at the lowest scheduling priority the system gives a thread.
//!
//! The request workers answer every request whose check is cheap, and they alone; what is
//! costly waits here, so a flood of hostile requests (wrong RSA signatures, megabyte forms of
//! `a&a&…`) slows down only itself. The threads run at the lowest "nice" level: on a machine
//! whose cores are all busy the scheduler runs them only when the workers have nothing to do,
//! which is what keeps a legitimate client's latency flat under load. Where the priority cannot
//! be lowered (the platform refuses it), the threads run at the normal one, and the bound
//! still holds: there are [`Background::THREADS`] of them.
//!
//! The threads start with the first job and end when the server's state is dropped (the queue's
//! sender goes with it). What is queued is bounded by its callers: one diagnosis at a time, and
//! at most one verification per open connection.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, OnceLock, mpsc};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// A small pool of low-priority threads, shared by the diagnosis and the costly verifications.
pub(crate) struct Background {
    queue: OnceLock<Option<mpsc::Sender<Job>>>,
}

impl Background {
    /// Two threads: on the two-core machines this is measured on, the costly work can use every
    /// core the workers leave idle, and no more threads than cores compete for them.
    pub(crate) const THREADS: usize = 2;

    pub(crate) const fn new() -> Self {
        Self { queue: OnceLock::new() }
    }

    /// Runs `job` on a background thread and awaits its result: `None` if it panicked. Where no
    /// background thread could be started, it runs on the calling thread instead (slower for
    /// everyone else, never wrong).
    pub(crate) async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The receiver may be gone (the client hung up): the result is then dropped.
            let _ = done.send(job());
        });
        match self.sender() {
            Some(sender) => {
                if let Err(mpsc::SendError(job)) = sender.send(job) {
                    run_caught(job);
                }
            }
            None => run_caught(job),
        }
        result.await.ok()
    }

    fn sender(&self) -> Option<&mpsc::Sender<Job>> {
        self.queue.get_or_init(start).as_ref()
    }
}

/// Starts the threads; `None` when not even one could be spawned.
fn start() -> Option<mpsc::Sender<Job>> {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    let mut started = 0;
    for index in 0..Background::THREADS {
        let receiver = Arc::clone(&receiver);
        let spawned = std::thread::Builder::new()
            .name(format!("cexsign-local-exchange-background-{index}"))
            .spawn(move || work(&receiver));
        started += usize::from(spawned.is_ok());
    }
    (started > 0).then_some(sender)
}

/// One background thread: lowers its own priority, then runs jobs until the queue closes.
fn work(receiver: &Mutex<mpsc::Receiver<Job>>) {
    // Best effort: a platform that refuses leaves the thread at the normal priority.
    let _ = thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min);
    loop {
        let job = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => run_caught(job),
            Err(mpsc::RecvError) => return,
        }
    }
}

/// Runs a job; a panic in it (a bug: no input should cause one) loses its result, not the thread.
fn run_caught(job: Job) {
    let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_off_the_calling_thread_and_a_panic_loses_only_its_own_result() {
        let background = Background::new();
        let caller = std::thread::current().id();
        let ran_on = background.run(move || std::thread::current().id()).await.unwrap();
        assert_ne!(ran_on, caller);
        assert_eq!(background.run(|| -> u8 { panic!("a bug in one job") }).await, None);
        // Every thread still serves.
        for n in 0..(Background::THREADS as u32 * 2) {
            assert_eq!(background.run(move || n * 2).await, Some(n * 2));
        }
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_threads_run_at_a_lower_priority_than_the_caller() {
        let background = Background::new();
        let nice_of_this_thread = || {
            // /proc/thread-self/stat: field 19 is the nice value (after the parenthesised name).
            let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
            let after_name = &stat[stat.rfind(')').unwrap() + 2..];
            after_name.split(' ').nth(16).unwrap().parse::<i32>().unwrap()
        };
        let caller = nice_of_this_thread();
        let worker = background.run(nice_of_this_thread).await.unwrap();
        // A caller already at the lowest priority (19) leaves nothing lower.
        assert!(worker > caller || caller == 19, "background nice {worker}, caller nice {caller}");
    }
}
