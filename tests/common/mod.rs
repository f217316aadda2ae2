#![allow(dead_code)]
pub mod bad;
pub mod cases;
