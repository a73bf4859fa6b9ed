mod store;

pub use store::StoreJobs;
