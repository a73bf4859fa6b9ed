mod memory;

pub use memory::MemoryLimiter;
