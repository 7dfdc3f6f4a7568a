import { useNavigate } from "@tanstack/react-router";
import { rest } from "../../app/runtime";
import { applyDispatch } from "../../stores/dispatch";
import { ConfirmDialog, NameDialog } from "../../ui/FormDialogs";
import type { CommunityInfo } from "../../stores/communities";
import { useTranslation } from "react-i18next";

export function CreateCommunityDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation("communities");
  const navigate = useNavigate();
  return (
    <NameDialog
      title={t("createTitle")}
      label={t("name")}
      submitLabel={t("create")}
      testId="create-community-dialog"
      onClose={onClose}
      onSubmit={async (name) => {
        const c = await rest.createCommunity({ name });
        // The gateway sends COMMUNITY_CREATE too; applying it now is idempotent and avoids a flash.
        applyDispatch({ t: "COMMUNITY_CREATE", d: c });
        await navigate({ to: "/app/$communityId", params: { communityId: c.id } });
      }}
    />
  );
}

export function RenameCommunityDialog({ community, onClose }: { community: CommunityInfo; onClose: () => void }) {
  const { t } = useTranslation("communities");
  return (
    <NameDialog
      title={t("renameTitle")}
      label={t("name")}
      initial={community.name}
      submitLabel={t("save")}
      onClose={onClose}
      onSubmit={async (name) => applyDispatch({ t: "COMMUNITY_UPDATE", d: await rest.updateCommunity(community.id, { name }) })}
    />
  );
}

export function DeleteCommunityDialog({ community, onClose }: { community: CommunityInfo; onClose: () => void }) {
  const { t } = useTranslation("communities");
  const navigate = useNavigate();
  return (
    <ConfirmDialog
      title={t("deleteTitle", { name: community.name })}
      body={t("deleteBody")}
      confirmLabel={t("deleteConfirm")}
      onClose={onClose}
      onConfirm={async () => {
        await rest.deleteCommunity(community.id);
        applyDispatch({ t: "COMMUNITY_DELETE", d: { id: community.id } });
        await navigate({ to: "/app" });
      }}
    />
  );
}

export function LeaveCommunityDialog({ community, onClose }: { community: CommunityInfo; onClose: () => void }) {
  const { t } = useTranslation("communities");
  const navigate = useNavigate();
  return (
    <ConfirmDialog
      title={t("leaveTitle", { name: community.name })}
      body={t("leaveBody")}
      confirmLabel={t("leaveConfirm")}
      onClose={onClose}
      onConfirm={async () => {
        await rest.leaveCommunity(community.id);
        applyDispatch({ t: "COMMUNITY_DELETE", d: { id: community.id } });
        await navigate({ to: "/app" });
      }}
    />
  );
}
