mod memory;

pub use memory::MemoryPresence;
