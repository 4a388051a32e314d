-- none

-- fk
CREATE INDEX `idx_images_user_id` ON `images` (`user_id`);
CREATE INDEX `idx_images_parent_id` ON `images` (`parent_id`);
CREATE INDEX `idx_likes_image_id` ON `likes` (`image_id`);
CREATE INDEX `idx_likes_user_id` ON `likes` (`user_id`);
DROP INDEX `idx_images_user_id` ON `images`;
DROP INDEX `idx_images_parent_id` ON `images`;
DROP INDEX `idx_likes_image_id` ON `likes`;
DROP INDEX `idx_likes_user_id` ON `likes`;

-- full
CREATE INDEX `idx_images_dt` ON `images` (`dt`);
CREATE INDEX `idx_images_user_id_dt` ON `images` (`user_id`, `dt`);
CREATE INDEX `idx_images_parent_id` ON `images` (`parent_id`);
CREATE INDEX `idx_likes_image_id_dt` ON `likes` (`image_id`, `dt`);
CREATE INDEX `idx_likes_user_id` ON `likes` (`user_id`);
DROP INDEX `idx_images_dt` ON `images`;
DROP INDEX `idx_images_user_id_dt` ON `images`;
DROP INDEX `idx_images_parent_id` ON `images`;
DROP INDEX `idx_likes_image_id_dt` ON `likes`;
DROP INDEX `idx_likes_user_id` ON `likes`;

