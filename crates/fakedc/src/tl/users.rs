//! Users: `user`, `userEmpty` and `userFull`.

use grammers_tl_types as tl;

use crate::world::{User, World};

/// `user` as the account sees it (self flag, contact flags, access hash).
pub fn user(world: &World, u: &User) -> tl::enums::User {
    let is_self = u.id == world.self_id;
    let photo = if is_self {
        world.profile_photos.first().map(|p| {
            tl::types::UserProfilePhoto {
                has_video: false,
                personal: false,
                photo_id: p.id,
                stripped_thumb: None,
                dc_id: p.dc_id,
            }
            .into()
        })
    } else {
        None
    };
    let live = !u.deleted;
    tl::types::User {
        is_self,
        contact: u.contact,
        mutual_contact: u.mutual_contact,
        deleted: u.deleted,
        bot: u.bot,
        bot_chat_history: false,
        bot_nochats: false,
        verified: false,
        restricted: false,
        min: false,
        bot_inline_geo: false,
        support: false,
        scam: false,
        apply_min_photo: false,
        fake: false,
        bot_attach_menu: false,
        premium: false,
        attach_menu_enabled: false,
        bot_can_edit: false,
        close_friend: false,
        stories_hidden: false,
        stories_unavailable: false,
        contact_require_premium: false,
        bot_business: false,
        bot_has_main_app: false,
        bot_forum_view: false,
        bot_forum_can_manage_topics: false,
        bot_can_manage_bots: false,
        bot_guestchat: false,
        bot_guard: false,
        id: u.id,
        access_hash: Some(u.access_hash),
        // Deleted accounts have no name, username or phone in TL.
        first_name: live.then(|| u.first_name.clone()),
        last_name: (live && !u.last_name.is_empty()).then(|| u.last_name.clone()),
        username: u.username.clone().filter(|_| live),
        phone: u.phone.clone().filter(|_| live && (is_self || u.contact)),
        photo,
        status: None,
        bot_info_version: u.bot.then_some(1),
        restriction_reason: None,
        bot_inline_placeholder: None,
        lang_code: None,
        emoji_status: None,
        usernames: None,
        stories_max_id: None,
        color: None,
        profile_color: None,
        bot_active_users: None,
        bot_verification_icon: None,
        send_paid_messages_stars: None,
        linked_community_id: None,
    }
    .into()
}

/// `users.userFull` for one user (the `users` vector holds that user).
pub fn user_full(world: &World, u: &User) -> tl::enums::users::UserFull {
    let full = tl::types::UserFull {
        blocked: false,
        phone_calls_available: !u.bot,
        phone_calls_private: false,
        can_pin_message: true,
        has_scheduled: false,
        video_calls_available: !u.bot,
        voice_messages_forbidden: false,
        translations_disabled: false,
        stories_pinned_available: false,
        blocked_my_stories_from: false,
        wallpaper_overridden: false,
        contact_require_premium: false,
        read_dates_private: false,
        sponsored_enabled: false,
        can_view_revenue: false,
        bot_can_manage_emoji_status: false,
        display_gifts_button: false,
        noforwards_my_enabled: false,
        noforwards_peer_enabled: false,
        unofficial_security_risk: false,
        id: u.id,
        about: (!u.about.is_empty()).then(|| u.about.clone()),
        settings: tl::types::PeerSettings {
            report_spam: false,
            add_contact: false,
            block_contact: false,
            share_contact: false,
            need_contacts_exception: false,
            report_geo: false,
            autoarchived: false,
            invite_members: false,
            request_chat_broadcast: false,
            business_bot_paused: false,
            business_bot_can_reply: false,
            geo_distance: None,
            request_chat_title: None,
            request_chat_date: None,
            business_bot_id: None,
            business_bot_manage_url: None,
            charge_paid_message_stars: None,
            registration_month: None,
            phone_country: None,
            name_change_date: None,
            photo_change_date: None,
        }
        .into(),
        personal_photo: None,
        profile_photo: None,
        fallback_photo: None,
        notify_settings: super::notify_settings(),
        bot_info: None,
        pinned_msg_id: None,
        common_chats_count: 0,
        folder_id: None,
        ttl_period: None,
        theme: None,
        private_forward_name: None,
        bot_group_admin_rights: None,
        bot_broadcast_admin_rights: None,
        wallpaper: None,
        stories: None,
        business_work_hours: None,
        business_location: None,
        business_greeting_message: None,
        business_away_message: None,
        business_intro: None,
        birthday: None,
        personal_channel_id: None,
        personal_channel_message: None,
        stargifts_count: None,
        starref_program: None,
        bot_verification: None,
        send_paid_messages_stars: None,
        disallowed_gifts: None,
        stars_rating: None,
        stars_my_pending_rating: None,
        stars_my_pending_rating_date: None,
        main_tab: None,
        saved_music: None,
        note: None,
        bot_manager_id: None,
    };
    tl::types::users::UserFull { full_user: full.into(), chats: vec![], users: vec![user(world, u)] }.into()
}
