//! The process tree of one started command, so that a timeout or an interrupt ends all of
//! it, grandchildren included:
//! - Unix: the child leads its own process group, and the group is killed (`killpg`).
//! - Windows: the child starts suspended, joins a job object of its own, then runs; every
//!   process it creates joins the job too, and the job is terminated. `taskkill /T` is no
//!   substitute: it follows parent process ids, so a grandchild whose parent has already
//!   exited escapes it (and Wine's taskkill has no `/T` at all).

/// Prepare the command before it is spawned (a new process group; a suspended start).
pub fn prepare(c: &mut std::process::Command) {
    imp::prepare(c);
}

/// A started command's tree, to be killed on timeout or interrupt.
pub struct Tree(imp::Tree);

impl Tree {
    /// Take charge of the tree of the process `pid` that [`prepare`] started (on Windows,
    /// this also lets it run). Where no job object can be had, the tree falls back to the
    /// weaker `taskkill /T`. Fails only when a suspended process could not be resumed (it
    /// is killed then).
    pub fn adopt(pid: u32) -> Result<Tree, String> {
        imp::Tree::adopt(pid).map(Tree)
    }

    /// Kill every process of the tree.
    pub fn kill(&self) {
        self.0.kill();
    }
}

#[cfg(unix)]
mod imp {
    use std::os::unix::process::CommandExt;

    pub fn prepare(c: &mut std::process::Command) {
        c.process_group(0);
    }

    pub struct Tree {
        group: u32,
    }

    impl Tree {
        pub fn adopt(pid: u32) -> Result<Tree, String> {
            Ok(Tree { group: pid })
        }

        pub fn kill(&self) {
            // SAFETY: killpg with a positive group id and a valid signal has no memory effects.
            unsafe {
                libc::killpg(self.group as libc::pid_t, libc::SIGKILL);
            }
        }
    }
}

#[cfg(windows)]
mod imp {
    use std::os::windows::process::CommandExt;
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::System::Diagnostics::ToolHelp::{
        CreateToolhelp32Snapshot, TH32CS_SNAPTHREAD, THREADENTRY32, Thread32First, Thread32Next,
    };
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, TerminateJobObject,
    };
    use windows_sys::Win32::System::Threading::{
        CREATE_SUSPENDED, OpenProcess, OpenThread, PROCESS_SET_QUOTA, PROCESS_TERMINATE,
        ResumeThread, THREAD_SUSPEND_RESUME,
    };

    pub fn prepare(c: &mut std::process::Command) {
        // Suspended until it is in its job, so nothing it starts can escape the job.
        c.creation_flags(CREATE_SUSPENDED);
    }

    /// A kernel handle, kept as an integer so that the tree can be shared across threads
    /// (the interrupt handler kills live trees from its own thread).
    pub struct Owned(isize);

    impl Owned {
        fn new(h: HANDLE) -> Option<Owned> {
            (!h.is_null() && h != INVALID_HANDLE_VALUE).then_some(Owned(h as isize))
        }
        fn raw(&self) -> HANDLE {
            self.0 as HANDLE
        }
    }

    impl Drop for Owned {
        fn drop(&mut self) {
            // SAFETY: the handle is owned by this value and closed once.
            unsafe {
                CloseHandle(self.raw());
            }
        }
    }

    pub enum Tree {
        Job(Owned),
        /// No job could be made (or joined): `taskkill /T` by process id.
        Pid(u32),
    }

    impl Tree {
        pub fn adopt(pid: u32) -> Result<Tree, String> {
            let tree = match join_job(pid) {
                Some(job) => Tree::Job(job),
                None => Tree::Pid(pid),
            };
            if resume(pid) {
                return Ok(tree);
            }
            tree.kill();
            Err(format!("process {pid} was started suspended and could not be resumed"))
        }

        pub fn kill(&self) {
            match self {
                // SAFETY: a valid job handle; terminating a job has no memory effects here.
                Tree::Job(job) => unsafe {
                    TerminateJobObject(job.raw(), 1);
                },
                Tree::Pid(pid) => {
                    let _ = duct::cmd("taskkill", ["/F", "/T", "/PID", &pid.to_string()])
                        .stdout_null()
                        .stderr_null()
                        .unchecked()
                        .run();
                }
            }
        }
    }

    /// A new job with the process `pid` in it.
    fn join_job(pid: u32) -> Option<Owned> {
        // SAFETY: plain Win32 calls on handles this function owns; null attributes and name
        // are allowed.
        unsafe {
            let job = Owned::new(CreateJobObjectW(std::ptr::null(), std::ptr::null()))?;
            let process = Owned::new(OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, 0, pid))?;
            (AssignProcessToJobObject(job.raw(), process.raw()) != 0).then_some(job)
        }
    }

    /// Resume the threads of the suspended process `pid` (its one initial thread); false
    /// when none was found.
    fn resume(pid: u32) -> bool {
        // SAFETY: the snapshot and thread handles are owned here; THREADENTRY32 is plain
        // data with its size set as the API requires.
        unsafe {
            let Some(snap) = Owned::new(CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0)) else {
                return false;
            };
            let mut resumed = false;
            let mut entry: THREADENTRY32 = std::mem::zeroed();
            entry.dwSize = std::mem::size_of::<THREADENTRY32>() as u32;
            let mut more = Thread32First(snap.raw(), &mut entry) != 0;
            while more {
                if entry.th32OwnerProcessID == pid
                    && let Some(t) =
                        Owned::new(OpenThread(THREAD_SUSPEND_RESUME, 0, entry.th32ThreadID))
                {
                    resumed |= ResumeThread(t.raw()) != u32::MAX;
                }
                more = Thread32Next(snap.raw(), &mut entry) != 0;
            }
            resumed
        }
    }
}

#[cfg(not(any(unix, windows)))]
mod imp {
    pub fn prepare(_c: &mut std::process::Command) {}

    pub struct Tree;

    impl Tree {
        pub fn adopt(_pid: u32) -> Result<Tree, String> {
            Ok(Tree)
        }
        pub fn kill(&self) {}
    }
}
