//! Pause, resume and cancel: a handle the UI keeps and the executor checks between batches.
use std::cell::Cell;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ControlState {
    #[default]
    Run,
    /// No new batch starts; batches already sent finish and are journaled.
    Pause,
    /// As pause, then every action not yet sent becomes Cancelled.
    Cancel,
}

/// Cheap to clone; all clones share one state (single-threaded, like the browser).
#[derive(Clone, Debug, Default)]
pub struct Control(Rc<Cell<ControlState>>);

impl Control {
    pub fn new() -> Self {
        Control::default()
    }

    pub fn pause(&self) {
        if self.0.get() == ControlState::Run {
            self.0.set(ControlState::Pause);
        }
    }

    pub fn resume(&self) {
        if self.0.get() == ControlState::Pause {
            self.0.set(ControlState::Run);
        }
    }

    /// Final for this run: a cancelled run cannot be resumed by this handle.
    pub fn cancel(&self) {
        self.0.set(ControlState::Cancel);
    }

    pub fn state(&self) -> ControlState {
        self.0.get()
    }
}
