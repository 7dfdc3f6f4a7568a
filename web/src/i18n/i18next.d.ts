import "i18next";
import type admin from "../locales/en/admin.json";
import type communitySettings from "../locales/en/communitySettings.json";
import type attachments from "../locales/en/attachments.json";
import type emoji from "../locales/en/emoji.json";
import type voice from "../locales/en/voice.json";
import type search from "../locales/en/search.json";
import type notifications from "../locales/en/notifications.json";
import type direct from "../locales/en/direct.json";
import type threads from "../locales/en/threads.json";
import type messages from "../locales/en/messages.json";
import type invites from "../locales/en/invites.json";
import type channels from "../locales/en/channels.json";
import type communities from "../locales/en/communities.json";
import type shell from "../locales/en/shell.json";
import type auth from "../locales/en/auth.json";
import type common from "../locales/en/common.json";
import type errors from "../locales/en/errors.json";
import type settings from "../locales/en/settings.json";

// Keys are checked at compile time against the English files (one line per namespace).
declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "common";
    fallbackNS: "common";
    resources: {
      admin: typeof admin;
      communitySettings: typeof communitySettings;
      attachments: typeof attachments;
      emoji: typeof emoji;
      voice: typeof voice;
      search: typeof search;
      notifications: typeof notifications;
      direct: typeof direct;
      threads: typeof threads;
      messages: typeof messages;
      invites: typeof invites;
      channels: typeof channels;
      communities: typeof communities;
      shell: typeof shell;
      auth: typeof auth;
      common: typeof common;
      errors: typeof errors;
      settings: typeof settings;
    };
  }
}
