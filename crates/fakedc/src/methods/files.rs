//! upload.getFile: photo sizes, documents, document thumbnails and the
//! takeout "other data" file, with Telegram's rules on offset and limit,
//! file reference checks, the file's data centre, and the takeout session's
//! files flag and size limit.

use grammers_tl_types as tl;

use super::Call;
use crate::error::RpcErr;
use crate::world::FileKey;

const MIB: i64 = 1 << 20;

/// Telegram's rules. Without `precise`: offset and limit multiples of
/// 4 KiB, 1 MiB divisible by limit, and a part may not cross a 1 MiB
/// boundary. With `precise`: multiples of 1 KiB, limit up to 1 MiB.
pub fn check_part(offset: i64, limit: i32, precise: bool) -> Result<(), RpcErr> {
    let limit = limit as i64;
    if precise {
        if offset < 0 || offset % 1024 != 0 {
            return Err(RpcErr::bad_request("OFFSET_INVALID"));
        }
        if limit <= 0 || limit % 1024 != 0 || limit > MIB {
            return Err(RpcErr::bad_request("LIMIT_INVALID"));
        }
        return Ok(());
    }
    if offset < 0 || offset % 4096 != 0 {
        return Err(RpcErr::bad_request("OFFSET_INVALID"));
    }
    if limit <= 0 || limit % 4096 != 0 || MIB % limit != 0 || offset / MIB != (offset + limit - 1) / MIB {
        return Err(RpcErr::bad_request("LIMIT_INVALID"));
    }
    Ok(())
}

pub fn get_file(call: &Call, req: tl::functions::upload::GetFile) -> Result<tl::enums::upload::File, RpcErr> {
    call.me()?;
    check_part(req.offset, req.limit, req.precise)?;
    use tl::enums::InputFileLocation as L;
    let (key, media_id, reference) = match &req.location {
        L::InputPhotoFileLocation(p) => {
            let size = p.thumb_size.chars().next().ok_or_else(|| RpcErr::bad_request("LOCATION_INVALID"))?;
            (FileKey::Photo { id: p.id, size }, p.id, &p.file_reference)
        }
        L::InputDocumentFileLocation(d) => match d.thumb_size.chars().next() {
            Some(size) => (FileKey::DocumentThumb { id: d.id, size }, d.id, &d.file_reference),
            None => (FileKey::Document { id: d.id }, d.id, &d.file_reference),
        },
        L::InputTakeoutFileLocation => {
            // The world has no "other data" archive; Telegram says so this way.
            if call.takeout.is_none() {
                return Err(RpcErr::new(403, "TAKEOUT_REQUIRED"));
            }
            return Err(RpcErr::bad_request("TAKEOUT_FILE_EMPTY"));
        }
        _ => return Err(RpcErr::bad_request("LOCATION_INVALID")),
    };
    let info = call.world.file(&key).ok_or_else(|| RpcErr::bad_request("LOCATION_INVALID"))?;
    let access_hash = match &req.location {
        L::InputPhotoFileLocation(p) => p.access_hash,
        L::InputDocumentFileLocation(d) => d.access_hash,
        _ => unreachable!("other locations returned above"),
    };
    if access_hash != info.access_hash {
        return Err(RpcErr::bad_request("LOCATION_INVALID"));
    }
    call.dc.filerefs.check(media_id, reference, call.dc.clock.now())?;
    // Files live on their own dc; a client must ask there (only when this
    // fakedc serves that dc: a single-dc fakedc serves everything).
    if info.dc_id != call.ctx.dc_id && call.dc.dc_addrs().iter().any(|(dc, _)| *dc == info.dc_id) {
        return Err(RpcErr::new(303, format!("FILE_MIGRATE_{}", info.dc_id)));
    }
    if let Some(t) = &call.takeout {
        if !t.flags.files {
            return Err(RpcErr::new(403, "TAKEOUT_FILES_REQUIRED"));
        }
        if t.flags.file_max_size.is_some_and(|max| info.size as i64 > max) {
            return Err(RpcErr::bad_request("TAKEOUT_FILE_TOO_BIG"));
        }
    }
    // At or past the end: an empty part (Telethon reads until a short one).
    let len = (info.size as i64 - req.offset).clamp(0, req.limit as i64) as usize;
    let bytes = if len == 0 { Vec::new() } else { call.world.file_bytes(&key, req.offset as u64, len).unwrap_or_default() };
    call.dc.stats.file_served(bytes.len());
    let kind = match key {
        FileKey::Photo { .. } | FileKey::DocumentThumb { .. } => tl::enums::storage::FileType::FileJpeg,
        FileKey::Document { .. } => tl::enums::storage::FileType::FilePartial,
    };
    Ok(tl::types::upload::File { r#type: kind, mtime: 0, bytes }.into())
}

#[cfg(test)]
mod tests {
    use super::check_part;

    #[test]
    fn part_rules() {
        assert!(check_part(0, 1 << 20, false).is_ok());
        assert!(check_part(512 << 10, 512 << 10, false).is_ok());
        assert!(check_part(4096, 4096, false).is_ok());
        assert_eq!(check_part(1, 4096, false).unwrap_err().name, "OFFSET_INVALID");
        assert_eq!(check_part(0, 4095, false).unwrap_err().name, "LIMIT_INVALID");
        assert_eq!(check_part(0, 3 * 4096, false).unwrap_err().name, "LIMIT_INVALID", "1 MiB not divisible");
        assert_eq!(check_part(512 << 10, 1 << 20, false).unwrap_err().name, "LIMIT_INVALID", "crosses 1 MiB");
        assert_eq!(check_part(0, 2 << 20, false).unwrap_err().name, "LIMIT_INVALID");
        assert!(check_part(1024, 3 * 1024, true).is_ok());
        assert_eq!(check_part(0, 2 << 20, true).unwrap_err().name, "LIMIT_INVALID");
    }
}
