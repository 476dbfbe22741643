//! The page's memory allocator: blocks of up to 128 bytes come from size classes (a free list
//! per multiple of 8 bytes, refilled from 64 KB slabs), everything else from the allocator under
//! it (Rust's default for wasm32, dlmalloc).
//!
//! Why: a million-user plan allocates about 2.6 million small blocks (action ids, subjects, user
//! names), right after the tenant's load has freed hundreds of megabytes of Graph pages. dlmalloc
//! then carves each small block out of those large free chunks, and in Chromium its `malloc` was
//! 200 ms of a 870 ms plan (a CPU profile of the preview at 1,000,000 users). Here a small
//! block is a pointer popped from a list or bumped in a slab.
//!
//! What it costs: a slab's blocks go back to their own class, never to dlmalloc, so memory once
//! used for small blocks stays for small blocks. A small block carries no header, where dlmalloc
//! adds one to every block.
use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::ptr;

/// Class step, and the alignment every class block has.
const STEP: usize = 8;
/// Classes of 8, 16, …, 128 bytes.
const CLASSES: usize = 16;
const LARGEST: usize = STEP * CLASSES;
/// What a class refill takes from the allocator below.
const SLAB: usize = 64 * 1024;

/// Small blocks by class over `A` for the rest.
pub struct Small<A> {
    below: A,
    state: UnsafeCell<State>,
}

struct State {
    /// Per class (index = size / 8), the first free block; each free block holds the next.
    free: [*mut u8; CLASSES + 1],
    /// The unused rest of the current slab.
    next: *mut u8,
    end: *mut u8,
}

// The page has one thread (the wasm is built without atomics or shared memory), so the state is
// never reached from two threads. Native tests use their own instance from one thread.
unsafe impl<A: Sync> Sync for Small<A> {}

impl<A> Small<A> {
    pub const fn new(below: A) -> Self {
        let state =
            State { free: [ptr::null_mut(); CLASSES + 1], next: ptr::null_mut(), end: ptr::null_mut() };
        Small { below, state: UnsafeCell::new(state) }
    }
}

/// The class of `layout`, if it is a small one.
fn class(layout: Layout) -> Option<usize> {
    let size = layout.size();
    (size > 0 && size <= LARGEST && layout.align() <= STEP).then(|| size.div_ceil(STEP))
}

unsafe impl<A: GlobalAlloc> GlobalAlloc for Small<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(c) = class(layout) else { return self.below.alloc(layout) };
        let s = &mut *self.state.get();
        let head = s.free[c];
        if !head.is_null() {
            s.free[c] = head.cast::<*mut u8>().read();
            return head;
        }
        let size = c * STEP;
        if (s.end as usize) - (s.next as usize) < size {
            // What is left of the old slab (under 128 bytes) is left unused.
            let slab = self.below.alloc(Layout::from_size_align_unchecked(SLAB, STEP));
            if slab.is_null() {
                return slab;
            }
            s.next = slab;
            s.end = slab.add(SLAB);
        }
        let block = s.next;
        s.next = block.add(size);
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let Some(c) = class(layout) else { return self.below.dealloc(block, layout) };
        let s = &mut *self.state.get();
        block.cast::<*mut u8>().write(s.free[c]);
        s.free[c] = block;
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // Large blocks keep the allocator's own zeroing (it knows fresh memory is zero already).
        if class(layout).is_none() {
            return self.below.alloc_zeroed(layout);
        }
        let block = self.alloc(layout);
        if !block.is_null() {
            block.write_bytes(0, layout.size());
        }
        block
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = Layout::from_size_align_unchecked(new_size, layout.align());
        match (class(layout), class(new)) {
            (None, None) => self.below.realloc(block, layout, new_size),
            (Some(a), Some(b)) if a == b => block,
            _ => {
                let moved = self.alloc(new);
                if !moved.is_null() {
                    ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                    self.dealloc(block, layout);
                }
                moved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::System;

    /// Blocks of every size around the classes, each filled with its own byte, freed in a
    /// scrambled order and taken again, grown and shrunk across classes and past the largest:
    /// no block overlaps another (every byte still reads its owner's value), contents survive
    /// a realloc, and alignment holds.
    #[test]
    fn blocks_never_overlap_and_keep_their_bytes() {
        let a = Small::new(System);
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        let mut seed = 11u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let check = |live: &[(*mut u8, Layout, u8)]| {
            for &(p, l, v) in live {
                let bytes = unsafe { std::slice::from_raw_parts(p, l.size()) };
                assert!(bytes.iter().all(|&b| b == v), "a block of {} bytes was overwritten", l.size());
            }
        };
        for round in 0..40_000 {
            match next() % 4 {
                0 | 1 => {
                    let size = 1 + next() % 300;
                    let align = [1, 2, 4, 8, 16][next() % 5];
                    let l = Layout::from_size_align(size, align).unwrap();
                    let p = unsafe {
                        if next() % 2 == 0 {
                            a.alloc(l)
                        } else {
                            a.alloc_zeroed(l)
                        }
                    };
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "alignment {align}");
                    let v = (round % 251) as u8;
                    unsafe { p.write_bytes(v, size) };
                    live.push((p, l, v));
                }
                2 if !live.is_empty() => {
                    let (p, l, _) = live.swap_remove(next() % live.len());
                    unsafe { a.dealloc(p, l) };
                }
                _ if !live.is_empty() => {
                    let i = next() % live.len();
                    let (p, l, v) = live[i];
                    let size = 1 + next() % 300;
                    let q = unsafe { a.realloc(p, l, size) };
                    assert!(!q.is_null());
                    let kept = unsafe { std::slice::from_raw_parts(q, l.size().min(size)) };
                    assert!(
                        kept.iter().all(|&b| b == v),
                        "realloc from {} to {size} bytes kept the bytes",
                        l.size()
                    );
                    unsafe { q.write_bytes(v, size) };
                    live[i] = (q, Layout::from_size_align(size, l.align()).unwrap(), v);
                }
                _ => {}
            }
            if round % 4_000 == 0 {
                check(&live);
            }
        }
        check(&live);
        for (p, l, _) in live {
            unsafe { a.dealloc(p, l) };
        }
    }

    #[test]
    fn a_freed_small_block_is_the_next_of_its_class_and_zeroed_blocks_are_zero() {
        let a = Small::new(System);
        let l = Layout::from_size_align(36, 1).unwrap();
        unsafe {
            let p = a.alloc(l);
            p.write_bytes(0xAB, 36);
            a.dealloc(p, l);
            // 33 to 40 bytes are one class.
            let q = a.alloc(Layout::from_size_align(40, 8).unwrap());
            assert_eq!(p, q, "the freed block is reused");
            a.dealloc(q, Layout::from_size_align(40, 8).unwrap());
            let z = a.alloc_zeroed(l);
            assert_eq!(z, p);
            assert!(std::slice::from_raw_parts(z, 36).iter().all(|&b| b == 0));
            a.dealloc(z, l);
        }
        assert_eq!(class(Layout::from_size_align(128, 8).unwrap()), Some(16));
        assert_eq!(class(Layout::from_size_align(129, 8).unwrap()), None, "past the largest class");
        assert_eq!(class(Layout::from_size_align(64, 16).unwrap()), None, "aligned past the step");
        assert_eq!(class(Layout::from_size_align(0, 1).unwrap()), None);
    }
}
